// The workspace every journey starts from: the default scenario, a buggy one (a planted bug), and
// two small scenarios for breakpoints (line numbers matter: the journeys set breakpoints on them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workbench';

const DEFAULT = readFileSync(join(ROOT, 'examples/default.raftsim'), 'utf8');

/** Breakpoint fixtures: a scenario with a scheduled fault, a random fault that is on for every seed, and other lines. */
const BP_A = [
  '# breakpoints: a scheduled fault, a random one, and lines that are not steps', // 1
  'nodes 3', // 2
  'tick 10ms', // 3
  'swarm off', // 4
  'crash every=300ms..600ms for=20ms..100ms', // 5
  'at 150ms crash n1', // 6
  'at 400ms restart n1', // 7
  'drop 1%', // 8
  'workload clients=1 keys=2', // 9
  'safety 2s', // 10
  '',
].join('\n');
const BP_B = ['# the other scenario', 'nodes 3', 'tick 10ms', 'at 250ms partition n1 | n2 n3', 'at 700ms heal', 'safety 2s', ''].join('\n');

/**
 * A Jepsen history (EDN, jepsen.independent keys): key :x has a read of a value nobody wrote by then.
 * Not in the workspace from the start (the journey writes it, as a user saves a file): one more file
 * in the Explorer changes what the other journeys see of the sidebar.
 */
export const HISTORY_EDN = [
  '{:type :invoke, :f :write, :value [:x 1], :process 0, :time 10}',
  '{:type :invoke, :f :read, :value [:y nil], :process 2, :time 11}',
  '{:type :ok, :f :write, :value [:x 1], :process 0, :time 20}',
  '{:type :ok, :f :read, :value [:y nil], :process 2, :time 21}',
  '{:type :invoke, :f :write, :value [:x 2], :process 0, :time 30}',
  '{:type :ok, :f :write, :value [:x 2], :process 0, :time 40}',
  '{:type :invoke, :f :read, :value [:x nil], :process 1, :time 50}',
  '{:type :ok, :f :read, :value [:x 1], :process 1, :time 60}',
  '',
].join('\n');

/** A spare that joins: line 10 adds it. */
export const MEMBERS = [
  '# A spare node, n4, joins the cluster',
  'nodes 3',
  'spares 1',
  'prevote on',
  'checkquorum on',
  'workload clients=1 keys=1',
  'swarm off',
  'safety 2s',
  'liveness 3s',
  'at 600ms add n4',
  '',
].join('\n');

export function files(): Record<string, string> {
  return {
    'members.raftsim': MEMBERS,
    'default.raftsim': DEFAULT,
    'buggy.raftsim': `${DEFAULT}\nbugs vote-without-log-check\n`,
    'bp-a.raftsim': BP_A,
    'bp-b.raftsim': BP_B,
  };
}
