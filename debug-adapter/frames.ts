// What a stop shows, in DAP's terms: nodes as threads, steps as frames (the causal chain of the
// thread's last step), and the simulation's records as scopes and variables. The ids handed out
// here are valid until the next stop, and never repeat: an id from an earlier stop is refused,
// never misread.
import { Scope, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { nodeName, thrownLocation } from '../sim';
import { AdapterError, ERR } from './errors';
import { isRec, isSeq, show, type Rec, type Seq, type Value } from './expr';
import { SEGMENT_STEPS, type SimRuntime } from './runtime';
import { firstStatementLine, type SourceDocuments } from './sources';
import { clusterRec, eventRec, historyOpRec, invariantsRec, networkRec, nodeRec, seq } from './views';

/** The thread of steps outside the nodes (clients, faults, phases). */
export const CLUSTER_THREAD = 1000;
const MAX_FRAMES = 200;

export interface FrameRef {
  readonly thread: number;
  readonly step: number;
  /** The top frame shows the cursor's state. */
  readonly top: boolean;
}

export interface VarRef {
  readonly value: Rec | Seq | readonly Value[];
  /** The expression that evaluates to it (for evaluateName and data breakpoints). */
  readonly path: string;
}

/** The node index of a node's thread. */
export function nodeOfThread(rt: SimRuntime, threadId: number): number {
  const i = threadId - 1;
  if (!Number.isInteger(i) || i < 0 || i >= rt.sim.nodes.length) throw new AdapterError(ERR.unknownReference, `no thread ${threadId}`);
  return i;
}

/** The ids of the threads that run now: the nodes up or paused, and the cluster. */
export function threadIds(rt: SimRuntime): number[] {
  return [...rt.sim.nodes.filter((n) => n.status === 'up' || n.status === 'paused').map((n) => n.index + 1), CLUSTER_THREAD];
}

/** The expression of field `name` under `path`. */
export function join(path: string, name: string): string {
  if (path === '') return name;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

/** The frames and variables of the current stop. */
export class Frames {
  private readonly frames = new IdMap<FrameRef>();
  private readonly vars = new IdMap<VarRef>();

  constructor(private readonly docs: SourceDocuments) {}

  /** A new stop: every id handed out so far lapses. */
  clear(): void {
    this.frames.clear();
    this.vars.clear();
  }

  stackTrace(rt: SimRuntime, args: DebugProtocol.StackTraceArguments): DebugProtocol.StackTraceResponse['body'] {
    const top = args.threadId === CLUSTER_THREAD ? rt.position : rt.timeline.lastOfNode(nodeOfThread(rt, args.threadId), rt.position);
    const start = args.startFrame ?? 0;
    const levels = args.levels === undefined || args.levels === 0 ? MAX_FRAMES : Math.min(args.levels, MAX_FRAMES);
    // A user's node that threw in this step: its own line first, as a debugger of that code shows it.
    const thrown = this.thrownFrame(rt, args.threadId, top);
    const extra = thrown === null ? 0 : 1;
    const from = Math.max(0, start - extra);
    const chain = top === 0 ? [0] : rt.timeline.chain(top, from + levels);
    const frames = chain.slice(from).map((step, k) => this.stackFrame(rt, args.threadId, step, from + k === 0));
    if (thrown !== null && start === 0) frames.unshift(thrown);
    return { stackFrames: frames.slice(0, levels), totalFrames: (top === 0 ? 1 : rt.timeline.chainLength(top)) + extra };
  }

  /**
   * The frame of the line a user's node threw at, on its thread at the step where it threw (the run
   * ended there as a crash whose message says `(at FILE:LINE:COL)`); null otherwise.
   */
  private thrownFrame(rt: SimRuntime, thread: number, top: number): StackFrame | null {
    const v = rt.sim.outcome?.violation;
    if (rt.node === null || v === undefined || v.invariant !== 'exception' || v.step !== top || thread === CLUSTER_THREAD) return null;
    if (rt.sim.nodes[thread - 1]?.id !== v.nodes[0]) return null;
    const at = thrownLocation(v.message);
    if (at === null) return null;
    const what = v.message.replace(/ \(at [^()]*\)$/, '');
    const frame = new StackFrame(
      this.frames.create({ thread, step: top, top: true }),
      what.length > 120 ? `${what.slice(0, 119)}…` : what,
    ) as DebugProtocol.StackFrame;
    frame.source = this.docs.file(at.file);
    frame.line = at.line;
    frame.column = at.column;
    return frame as StackFrame;
  }

  private stackFrame(rt: SimRuntime, thread: number, step: number, top: boolean): StackFrame {
    const id = this.frames.create({ thread, step, top });
    // Before the first event: the run is its scenario, from its first statement.
    if (step === 0) return new StackFrame(id, '#0 start: before the first event', this.docs.scenario(rt), firstStatementLine(rt.scenario), 1);
    const text = rt.describe(step).replace(/^#\d+ (\d+\.\d+ms )?/, '');
    const frame = new StackFrame(id, `#${step} ${text}`) as DebugProtocol.StackFrame;
    // The scenario line that caused the step (an `at` fault, an occurrence of `crash every=…`), else the trace document.
    const line = rt.timeline.lineOf(step);
    if (line !== undefined) {
      frame.source = this.docs.scenario(rt);
      frame.line = line;
    } else {
      const g = Math.floor((step - 1) / SEGMENT_STEPS);
      frame.source = this.docs.trace(rt, g);
      frame.line = step - g * SEGMENT_STEPS;
    }
    frame.column = 1;
    // (No 'subtle' hint on causal frames: VS Code would fold them away under "Show N More".)
    return frame as StackFrame;
  }

  /** The frame an id names (none given: the cluster's top frame). */
  frame(rt: SimRuntime, frameId: number | undefined): FrameRef {
    const f = frameId === undefined ? undefined : this.frames.get(frameId);
    if (f === undefined) {
      if (frameId === undefined) return { thread: CLUSTER_THREAD, step: rt.position, top: true };
      throw new AdapterError(ERR.unknownReference, `no frame ${frameId} (frames are valid until the next step)`);
    }
    return f;
  }

  /** The state a frame shows: the cursor's for top frames, else the state just after its step. */
  simOf(rt: SimRuntime, f: FrameRef): SimRuntime['sim'] {
    return f.top ? rt.sim : rt.simAt(f.step);
  }

  scopes(rt: SimRuntime, frameId: number): Scope[] {
    const f = this.frame(rt, frameId);
    const sim = this.simOf(rt, f);
    const scopes: Scope[] = [];
    const scope = (name: string, value: Rec | Seq, path: string, expensive = false): void => {
      const s = new Scope(name, this.vars.create({ value, path }), expensive) as DebugProtocol.Scope;
      if (isSeq(value)) s.indexedVariables = value.length;
      scopes.push(s as Scope);
    };
    if (f.thread !== CLUSTER_THREAD) {
      const i = nodeOfThread(rt, f.thread);
      scope(`Node ${nodeName(i)}`, nodeRec(sim, i), nodeName(i));
    } else {
      scope('Nodes', clusterRec(sim), '');
    }
    scope(`Event (step ${f.step})`, eventRec(f.top && f.step !== rt.position ? rt.simAt(f.step) : sim), 'event');
    scope('Network', networkRec(sim), 'network');
    scope('Invariants', invariantsRec(sim), 'invariants');
    scope(
      `Client history (${sim.history.length})`,
      seq(sim.history.length, (k) => historyOpRec(sim.history[k]!)),
      'history',
      true,
    );
    return scopes;
  }

  /** What a variables reference of this stop holds, if it is one. */
  varRef(id: number): VarRef | undefined {
    return this.vars.get(id);
  }

  variables(args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    const ref = this.vars.get(args.variablesReference);
    if (ref === undefined) throw new AdapterError(ERR.unknownReference, `no variables with reference ${args.variablesReference}`);
    const out: DebugProtocol.Variable[] = [];
    const v = ref.value;
    if (isRec(v)) {
      if (args.filter !== 'indexed') for (const name of v.fields()) out.push(this.variable(name, v.field(name)!, join(ref.path, name)));
    } else {
      const list = v as readonly Value[] | Seq;
      const start = args.start ?? 0;
      const end = Math.min(list.length, args.count === undefined || args.count === 0 ? list.length : start + args.count);
      for (let i = start; i < end; i++) {
        const item = isSeq(list) ? list.at(i) : (list as readonly Value[])[i]!;
        // A log entry is named by its index (after compaction the first held one is not 1).
        const name = ref.path.endsWith('.log') ? String(isRec(item) ? (item.field('index') ?? i + 1) : i + 1) : String(i);
        out.push(this.variable(name, item, `${ref.path}[${i}]`));
      }
    }
    return out;
  }

  /** A value as a DAP variable; a record or a list gets a reference to expand it by. */
  variable(name: string, value: Value, path: string): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name, value: show(value, 1), variablesReference: 0, evaluateName: path };
    if (isRec(value) || isSeq(value) || Array.isArray(value)) {
      v.variablesReference = this.vars.create({ value: value as Rec | Seq | readonly Value[], path });
      if (isSeq(value) || Array.isArray(value)) {
        v.indexedVariables = (value as Seq).length;
        v.value = `(${(value as Seq).length}) ${show(value, 1)}`;
      }
      if (isRec(value) && value.id !== undefined) v.value = `${value.id}`;
    }
    return v;
  }
}

/** Handles whose ids keep growing across stops (the library's Handles restart at the same id). */
class IdMap<T> {
  private next = 1000;
  private readonly map = new Map<number, T>();
  create(v: T): number {
    const id = this.next++;
    this.map.set(id, v);
    return id;
  }
  get(id: number): T | undefined {
    return this.map.get(id);
  }
  clear(): void {
    this.map.clear();
  }
}
