// The `liferaft` command. Subcommands call into the layers; this file only dispatches, prints
// usage, and maps errors to the exit codes of docs/ARCHITECTURE.md.
import { BUG_NAMES } from '../core';
import { EXIT, setInvocation, UsageError, type Io } from './args';
import { benchCommand } from './cmd-bench';
import { benchBugsCommand } from './cmd-bench-bugs';
import { benchDapCommand } from './cmd-bench-dap';
import { benchKvCommand } from './cmd-bench-kv';
import { chaosCommand } from './cmd-chaos';
import { benchLinCommand } from './cmd-bench-lin';
import { benchSoundnessCommand } from './cmd-bench-soundness';
import { checkCommand } from './cmd-check';
import { dapCommand } from './cmd-dap';
import { demoCommand } from './cmd-demo';
import { exploreCommand } from './cmd-explore';
import { kvCommand } from './cmd-kv';
import { memberCommand } from './cmd-member';
import { maelstromCommand } from './cmd-maelstrom';
import { nodeCommand } from './cmd-node';
import { replayCommand } from './cmd-replay';
import { runCommand } from './cmd-run';
import { shrinkCommand } from './cmd-shrink';

export { EXIT } from './args';

const USAGE = `usage: liferaft <command> [options]

commands:
  run [SCENARIO] [--seed N] [--bug NAME]... [--node FILE] [--trace FILE] [--history FILE] [--itf FILE [--itf-steps A..B|all]] [--json]
      Run one seed of a scenario (default: the built-in default scenario; the seed may come from
      the scenario's \`seed\` line); --trace writes a .rafttrace that reproduces it exactly;
      --history writes the clients' history (the input of \`check\`); --itf writes the run in the
      Informal Trace Format (Quint, Apalache, the ITF trace viewer): one state per step, every step
      unless the file would pass 64 MB, then the last steps that fit; --itf-steps A..B or N picks others.
      --node runs your own Raft instead of LifeRaft's (JavaScript or TypeScript, the interface of
      sim/node-api.ts; explore and replay take it too): see examples/your-node/README.md.
  explore [SCENARIO] (--seeds N|A..B | --time SECONDS) [--bug NAME]... [--workers K] [--shard I/N] [--out DIR]
          [--until-failure] [--from N] [--no-bias] [--check-determinism] [--shrink-seconds N] [--node FILE] [--json]
      Run many seeds in parallel; write a .rafttrace and a shrunk .raftsim per failing seed into DIR.
      --time runs seeds from N (default 1) on, preferring among the next few those whose fault mix
      has most often reached new coverage (off with --no-bias); --until-failure starts no seed
      after the first failure (seeds already running finish). The report gives seeds and time to
      the first failure and the coverage reached (rules never hit).
  replay FILE [--json]
      Re-execute a .rafttrace and verify every hash; reports the first divergent step.
  shrink FILE [--out FILE] [--seconds N] [--json]
      Shrink a failing .rafttrace into a small .raftsim regression scenario (seed pinned) that
      fails with the same invariant.
  check FILE [--seconds N] [--max-steps N] [--max-memory MB] [--initial VALUE | --initial-absent] [--html OUT.html] [--json]
      Is a client history linearizable? FILE: our JSON format, a Jepsen EDN history (history.edn),
      or jepsen.util log lines (sim/linearizability/README.md). --initial: what every key holds at
      first (default: absent; "" for Porcupine's key/value logs, as its model reads a missing key;
      --initial-absent overrides that). --html writes one self-contained page: per key the
      operations by client, the linearization found, and in red a minimal set that cannot be
      ordered together (zoom, hover). --json: one object on stdout, {"result":"error"} on bad input.
      Exit 0 ok, 1 illegal, 2 unknown (a budget ran out), 64 bad input.
  bench [--quick] [--json]
      Simulator events/s against a no-op event loop measured in the same run, explore's seeds/s
      on every core, and memory over a 10M-event run.
  bench bugs [--streams N] [--budget SECONDS] [--bug NAME]... [--json]
      For every planted bug: seeds and seconds to the first failure over N seed streams, with
      LifeRaft's search and with uniform random exploration; shrunk size; and a clean run.
  bench dap [--steps N] [--jumps N] [--seed N] [--json]
      The debugger over DAP on a long run (default 1M steps): first stop, forward speed against a
      plain run, jumps to random steps, step-backs, memory.
  bench kv [--clients N[,N...]] [--runs N] [--seconds S] [--value-bytes B] [--keys K] [--etcd PATH | --no-etcd] [--json]
      The real cluster (3 liferaft node processes, fsync on) under N concurrent HTTP clients: put
      and get throughput, p50/p99; the same against 3 etcd members when etcd is installed, with ratios;
      --runs N repeats each client count N times, LifeRaft and etcd interleaved, and counts the runs
      where LifeRaft's put throughput ≥ etcd's and its put p99 ≤ etcd's.
  bench soundness [SCENARIO...] [--seeds N | A..B] [--shard I/N] [--workers K] [--chunk K] [--state FILE] [--fresh] [--out DIR] [--node FILE] [--json]
      The soundness campaign: seeds 1..N (default 100,000) of every example scenario on the
      correct core, where any failure is a false alarm or a core bug; per scenario seeds, failures,
      seeds/s and wall time. Resumable: state saved every --chunk seeds (default 1,000) in
      .liferaft/soundness-state.json; after Ctrl-C the same command goes on. --shard for CI.
  bench lin [--porcupine DIR [--only-porcupine]] [--repeat N] [--json]
      The linearizability checker on generated histories (10k ops/10 keys, hard single-key cases,
      append-heavy 50-client key/value, Jepsen-style registers with many :info, illegal ones),
      against replaying the history through the model; with --porcupine (a checkout of Porcupine,
      and Go), side by side with Porcupine on its own test histories and those classes (written in
      Porcupine's formats); --only-porcupine skips the first table, not the generated classes.
  dap [--server=PORT] [--host ADDR]
      The debug adapter (Debug Adapter Protocol) for any client: on stdin/stdout, or listening on
      a TCP port (default host 127.0.0.1). Launch attributes: scenario | trace, seed, stopOnEntry,
      maxSteps, bugs, node (your own Raft; examples/your-node/) (see debug-adapter/README.md).
  node --id ID --listen [HOST:]PORT (--peers ID=[HOST:]PORT,... | --join) --data DIR [--http [HOST:]PORT]
       [--secret-file FILE] [--tick-ms N] [--peer-cert F --peer-key F --peer-ca F] [--client-cert F --client-key F [--client-ca F]]
      One member of a real key/value cluster: the same Raft core over TCP, a write-ahead log with
      fsync under DIR, and the HTTP/JSON client API (net/README.md). Loopback unless a HOST is given.
      --join: start outside the cluster and wait for its leader to add this node (member add).
      --peer-*: mutual TLS between peers (each certificate names its node id); --client-*: HTTPS.
  kv [--endpoints URL,...] [--timeout MS] [get KEY | set KEY VALUE | del KEY | cas KEY OLD NEW | append KEY SUFFIX | status]
      A client of the cluster's HTTP API; without a command, an interactive prompt. Prints ok, the
      value, or "key not found". Writes are exactly-once across retries on other nodes.
  member [--endpoints URL,...] [--timeout MS] list | add ID HOST:PORT [--http ADDR] | remove ID | transfer ID [--json]
      The cluster's members and configuration as an operator sees them (list); membership changes
      one server at a time (add: a learner, promoted once caught up; remove: the leader too; thesis
      §4.1), answered once committed; moving leadership to a member (transfer, thesis §3.10).
  chaos [--cycles N] [--nodes 3|5] [--seed N] [--faults KIND,...] [--clients N] [--hold-ms MS] [--history FILE] [-v] [--json]
      The real cluster (liferaft node processes on 127.0.0.1, every peer link through a relay of
      its own) under Jepsen-style faults while clients write and read: each cycle one of kill -9
      and restart, partition, one-way cut, delay, loss, or SIGSTOP/SIGCONT, then heal. At the end:
      every acknowledged write is read back from every node, and the history must be linearizable.
      Faults: kill, partition, cut, delay, loss, pause. Defaults: 20 cycles, 3 nodes, 4 clients, each
      fault held 0.3–1.5 s (--hold-ms sets the upper bound), a random seed (printed; --seed repeats
      the fault order, not the timing). With npm: npm run -s chaos -- --json (-s: no npm banner).
      Exit 0 ok, 1 a write lost, the history not linearizable, or a problem (a node that did not
      restart, nodes that did not converge).
  maelstrom [--data DIR] [--tick-ms N] [--timeout-ms N]
      A node speaking Jepsen Maelstrom's JSON-lines protocol (init, read, write, cas; Maelstrom's
      error codes) on stdin/stdout, for Maelstrom's lin-kv workload and checker.
  demo [--nodes N] [--writes N] [--seed N] [--json]
      The Raft core alone: elect a leader and commit client writes on an in-memory network.
  help [COMMAND]
      Show this text, or one command's (also: liferaft COMMAND --help).

options:
  --bug NAME  switch on a planted bug (sim/BUGS.md); repeat for several. Bugs:
              ${wrap(BUG_NAMES.join(', '), 84, '              ')}
  --json      print exactly one JSON object on stdout
  --version   print the version

exit codes: 0 ok · 1 safety violation (replay: did not reproduce) · 2 liveness failure ·
3 crash in node code · 64 usage or input error; explore: the most severe verdict among its failures`;

/** Words of `text` in lines of at most `width` characters, the later lines indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

export function consoleIo(): Io {
  const tty = process.stderr.isTTY === true;
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    progress: tty ? (l) => process.stderr.write(`\r\x1b[2K${l}`) : null,
  };
}

/** The usage of one command (`bench soundness`, `run`…) from USAGE, with the shared options; null if unknown. */
export function usageOf(words: readonly string[]): string | null {
  const lines = USAGE.split('\n');
  const name = words[0] === 'bench' && words[1] !== undefined && !words[1].startsWith('-') ? `bench ${words[1]}` : words[0];
  const start = lines.findIndex((l) => l === `  ${name}` || l.startsWith(`  ${name} `));
  if (name === undefined || start < 0) return null;
  let end = start + 1;
  while (end < lines.length && /^ {4,}\S/.test(lines[end]!)) end++;
  let footer = lines.slice(lines.indexOf('options:'));
  // The --bug block only for the commands that take --bug.
  if (!lines[start]!.includes('--bug')) {
    const from = footer.findIndex((l) => l.startsWith('  --bug'));
    let to = from + 1;
    while (to < footer.length && footer[to]!.startsWith('      ')) to++;
    footer = [...footer.slice(0, from), ...footer.slice(to)];
  }
  // A command with exit codes of its own (check) does not get the general ones.
  if (lines.slice(start, end).some((l) => /\bExit 0 /.test(l)))
    footer = footer.slice(
      0,
      footer.findIndex((l) => l.startsWith('exit codes:')),
    );
  return [`usage: liferaft ${lines[start]!.trim()}`, ...lines.slice(start + 1, end), '', ...footer].join('\n').trimEnd();
}

/** Commands that print their own, longer usage for --help. */
const OWN_USAGE: readonly string[] = ['node', 'kv', 'member'];

export async function main(argv: string[], io: Io = consoleIo()): Promise<number> {
  const [command, ...rest] = argv;
  // `liferaft CMD --help` (before any `--`) and `liferaft help CMD`: that command's usage.
  const options = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  if (command !== undefined && OWN_USAGE.includes(command) && options.includes('-h')) return main([command, '--help'], io);
  if (command !== undefined && !['help', '--help', '-h', ...OWN_USAGE].includes(command) && (options.includes('--help') || options.includes('-h'))) {
    const u = usageOf(argv);
    if (u === null) {
      io.err(`liferaft: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.out(u);
    return EXIT.ok;
  }
  if (command === 'help' && rest.length > 0) {
    if (OWN_USAGE.includes(rest[0]!)) return main([rest[0]!, '--help'], io);
    const u = usageOf(rest);
    if (u === null) {
      io.err(`liferaft: no command ${JSON.stringify(rest.join(' '))}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.out(u);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'explore':
        return await exploreCommand(rest, io);
      case 'replay':
        return await replayCommand(rest, io);
      case 'shrink':
        return await shrinkCommand(rest, io);
      case 'check':
        return checkCommand(rest, io);
      case 'bench':
        if (rest[0] === 'lin') return benchLinCommand(rest.slice(1), io);
        if (rest[0] === 'bugs') return await benchBugsCommand(rest.slice(1), io);
        if (rest[0] === 'dap') return await benchDapCommand(rest.slice(1), io);
        if (rest[0] === 'kv') return await benchKvCommand(rest.slice(1), io);
        if (rest[0] === 'soundness') return await benchSoundnessCommand(rest.slice(1), io);
        return await benchCommand(rest, io);
      case 'demo':
        return demoCommand(rest, io);
      case 'dap':
        return await dapCommand(rest, io);
      case 'node':
        return await nodeCommand(rest, io);
      case 'kv':
        return await kvCommand(rest, io);
      case 'member':
        return await memberCommand(rest, io);
      case 'chaos':
        return await chaosCommand(rest, io);
      case 'maelstrom':
        return await maelstromCommand(rest, io);
      case '--version':
      case 'version':
        io.out(VERSION);
        return EXIT.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`liferaft: ${(e as Error).message}`);
      // A bad option: that command's usage (the whole text only when the command is unknown).
      if (/unknown command/.test((e as Error).message)) io.err(`\n${USAGE}`);
      else if (!(e instanceof UsageError)) io.err(`\n${usageOf(argv) ?? USAGE}`);
      else if (/^(--|[a-z]+ needs )/.test((e as Error).message))
        io.err(
          `(liferaft ${argv[0] === 'bench' && argv[1] !== undefined && !argv[1].startsWith('-') ? `bench ${argv[1]}` : argv[0]} --help shows the options)`,
        );
      return EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) {
  // A closed pipe (`liferaft explore | head`) is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  setInvocation(process.argv[1], process.cwd());
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`liferaft: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT.crash;
    },
  );
}
