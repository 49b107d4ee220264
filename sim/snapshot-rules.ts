// What a snapshot of a running simulation (the debugger's checkpoints, snapshot.ts) shares instead
// of copying, by field name — names of fields of the Simulation, its parts (faults.ts, traffic.ts,
// liveness.ts), its nodes (sim-node.ts), the checker and the clients.
import type { SnapshotRule, SnapshotRules } from './snapshot';

/**
 * What a snapshot (the debugger's checkpoints) shares instead of copying, by field name. Shared
 * values never change once made: messages, requests, replies, log entries, fault actions, queued
 * events (the heap re-orders its array, never an event), the scenario and configuration.
 * Client operations in the history never change: an outcome replaces the record (workload.ts).
 */
export const SNAPSHOT_RULES: SnapshotRules = new Map<string, SnapshotRule>([
  ...[
    'scenario',
    'swarm',
    'options',
    'config',
    'msg',
    'message',
    'request',
    'reply',
    'action',
    'messages',
    'replies',
    'persist',
    'w',
    'latency',
    'rates',
    'enabled',
    'lastEvent',
    'lastReasons',
    'lastAction',
  ].map((k) => [k, 'share'] as const),
  ...['log', 'entries', 'committed', 'items', 'held', 'outbox', 'faultLog', 'appliedAt', 'refOutcomes', 'pending', 'forks', 'history'].map(
    (k) => [k, 'elements'] as const,
  ),
  // The log each node is judged by (its state, or its disk's log after a crash): copied — the same
  // copy as the node's state when it is the node's state — with entries shared.
  ['views', { mutable: () => true }],
]);
