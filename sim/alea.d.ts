// Typings for seedrandom's Alea generator, imported on its own so the simulator never loads
// seedrandom's ARC4 entry point (which reaches for Node's crypto module to auto-seed).
declare module 'seedrandom/lib/alea' {
  import type seedrandom from 'seedrandom';
  function alea(seed: string, options: { state: true | seedrandom.State.Alea }): seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  function alea(seed: string): seedrandom.PRNG;
  export = alea;
}
