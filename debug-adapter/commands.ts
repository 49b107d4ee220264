// Console commands (typed in the Debug Console, starting with a dot). Commands that change the run
// fork a new timeline at the step they are applied to: the current one, or the selected frame's.
import { forkActionProblem, nodeName, type ForkAction } from '../sim';
import { RuntimeError, type SimRuntime, type Stop } from './runtime';

export const COMMANDS: readonly { readonly name: string; readonly usage: string; readonly doc: string }[] = [
  { name: '.goto', usage: '.goto N', doc: 'go to step N (back or forward)' },
  { name: '.crash', usage: '.crash n2', doc: 'crash a node (fork)' },
  { name: '.restart', usage: '.restart n2', doc: 'restart a crashed node (fork)' },
  { name: '.pause', usage: '.pause n2', doc: 'pause a node (fork)' },
  { name: '.resume', usage: '.resume n2', doc: 'resume a paused node (fork)' },
  { name: '.isolate', usage: '.isolate n2', doc: 'cut a node off from all others (fork)' },
  { name: '.partition', usage: '.partition {n1} {n2 n3}', doc: 'split the network into groups (fork)' },
  { name: '.heal', usage: '.heal', doc: 'reconnect every link (fork)' },
  { name: '.transfer', usage: '.transfer n3', doc: 'the leader hands leadership to a node (fork)' },
  { name: '.add', usage: '.add n4', doc: 'the leader adds a node to the configuration: a learner, then a voter (fork)' },
  { name: '.remove', usage: '.remove n2', doc: 'the leader removes a node from the configuration (fork)' },
  { name: '.drop', usage: '.drop ID', doc: 'lose a message in flight, by its id in Network › inFlight (fork)' },
  { name: '.forks', usage: '.forks', doc: 'list the forks of this timeline' },
  { name: '.help', usage: '.help', doc: 'this list' },
];

export interface CommandResult {
  readonly text: string;
  /** Where the debugger now stands, when the command moved it. */
  readonly stop: Stop | null;
}

function node(rt: SimRuntime, word: string | undefined): number {
  const m = word === undefined ? null : /^n(\d)$/.exec(word);
  const i = m === null ? -1 : Number(m[1]) - 1;
  if (i < 0 || i >= rt.sim.nodes.length)
    throw new RuntimeError(`expected a node name n1…n${rt.sim.nodes.length}, found ${word === undefined ? 'nothing' : `"${word}"`}`);
  return i;
}

function parseAction(rt: SimRuntime, cmd: string, args: string[], rest: string): ForkAction {
  switch (cmd) {
    case '.crash':
    case '.restart':
    case '.pause':
    case '.resume':
    case '.isolate':
    case '.transfer':
    case '.add':
    case '.remove':
      return { kind: cmd.slice(1) as 'crash', node: node(rt, args[0]) };
    case '.heal':
      return { kind: 'heal' };
    case '.drop': {
      const seq = Number(args[0]);
      if (!Number.isSafeInteger(seq)) throw new RuntimeError('usage: .drop ID (the id of a message in Network › inFlight)');
      return { kind: 'drop', seq };
    }
    case '.partition': {
      const groups = [...rest.matchAll(/\{([^}]*)\}/g)].map((m) =>
        m[1]!
          .trim()
          .split(/[\s,]+/)
          .filter((w) => w !== '')
          .map((w) => node(rt, w)),
      );
      if (groups.length < 2) throw new RuntimeError('usage: .partition {n1} {n2 n3} (two or more groups)');
      return { kind: 'partition', groups };
    }
    default:
      throw new RuntimeError(`unknown command ${cmd} (try .help)`);
  }
}

export function runCommand(rt: SimRuntime, line: string, atStep: number | null): CommandResult {
  const rest = line.trim();
  const [cmd = '', ...args] = rest.split(/\s+/);
  switch (cmd) {
    case '.help':
      return { text: COMMANDS.map((c) => `${c.usage.padEnd(26)} ${c.doc}`).join('\n'), stop: null };
    case '.forks':
      return {
        text:
          rt.forks.length === 0
            ? "no forks: this is the seed's own timeline"
            : rt.forks.map((f) => `after step ${f.step}: ${describeAction(f.action)}`).join('\n'),
        stop: null,
      };
    case '.goto': {
      const n = Number(args[0]);
      if (args[0] === undefined || !Number.isSafeInteger(n) || n < 0) throw new RuntimeError('usage: .goto N (a step number ≥ 0)');
      const stop = rt.goto(n);
      return { text: stop.description, stop };
    }
    default: {
      const action = parseAction(rt, cmd, args, rest.slice(cmd.length));
      const problem = forkActionProblem(action, rt.sim.nodes.length);
      if (problem !== null) throw new RuntimeError(problem);
      if (atStep !== null && atStep !== rt.position) rt.goto(atStep);
      const pointless = statusProblem(rt, action);
      if (pointless !== null) throw new RuntimeError(pointless);
      const at = rt.position;
      const stop = rt.fork(action);
      const who = 'node' in action ? ` ${nodeName(action.node)}` : '';
      return { text: `${action.kind}${who} after step ${at}: ${stop.description}`, stop };
    }
  }
}

/** A fork as the console command that makes it (`crash n2`, `partition {n1} {n2 n3}`). */
export function describeAction(a: ForkAction): string {
  switch (a.kind) {
    case 'partition':
      return `partition ${a.groups.map((g) => `{${g.map(nodeName).join(' ')}}`).join(' ')}`;
    case 'drop':
      return `drop message ${a.seq}`;
    case 'heal':
      return 'heal';
    default:
      return 'node' in a ? `${a.kind} ${nodeName(a.node)}` : JSON.stringify(a);
  }
}

/** Why a node action would change nothing at this step (a crashed node cannot crash again…), or null. */
function statusProblem(rt: SimRuntime, a: ForkAction): string | null {
  if (!('node' in a)) return null;
  const n = rt.sim.nodes[a.node];
  if (n === undefined) return null;
  const name = nodeName(a.node);
  const want: Partial<Record<ForkAction['kind'], { ok: readonly string[]; hint: string }>> = {
    crash: { ok: ['up', 'paused'], hint: `.restart ${name} brings it back` },
    restart: { ok: ['down'], hint: `.crash ${name} first` },
    pause: { ok: ['up'], hint: n.status === 'paused' ? `.resume ${name} resumes it` : `it does not run` },
    resume: { ok: ['paused'], hint: `.pause ${name} first` },
    isolate: { ok: ['up', 'paused', 'down'], hint: '' },
  };
  const w = want[a.kind];
  if (w === undefined || w.ok.includes(n.status)) return null;
  return `${name} is ${n.status} at step ${rt.position}: nothing to ${a.kind}${w.hint === '' ? '' : ` (${w.hint})`}`;
}
