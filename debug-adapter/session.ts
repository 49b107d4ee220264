// SimDebugSession: DAP translation only. Every decision about the simulation is SimRuntime's; this
// file maps requests to runtime calls and formats errors from one catalogue. What a stop shows
// (nodes as threads, steps as frames, records as variables) is frames.ts's; the documents served,
// sources.ts's; breakpoint requests, breakpoint-requests.ts's.
import { DebugSession, InitializedEvent, OutputEvent, StoppedEvent, TerminatedEvent, Thread, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TraceFile } from '../sim';
import { BreakpointRequests, type SourceKind } from './breakpoint-requests';
import { EXCEPTION_FILTERS, type Hit } from './breakpoints';
import { AdapterError, ERR } from './errors';
import { runCommand, COMMANDS } from './commands';
import { complete, Expr, ExprError, isRec, show } from './expr';
import { CLUSTER_THREAD, Frames, join, nodeOfThread, threadIds } from './frames';
import { planLaunch, type NodeLoader } from './launch';
import * as protocol from './protocol';
import { SimRuntime, type Stop } from './runtime';
import { panelRequest } from './panel-state';
import { argumentsProblem } from './request-args';
import { SourceDocuments } from './sources';
import { simEnv } from './views';

/** How the adapter reads files: Node's fs on stdio/TCP, the workspace file system in VS Code. */
export interface FileAccessor {
  readFile(path: string): Promise<string>;
  /** Loads a user's Raft node (the launch's `node`); absent where the host cannot (a browser). */
  loadNode?: NodeLoader;
}

export class SimDebugSession extends DebugSession {
  private rt: SimRuntime | null = null;
  private trace: TraceFile | null = null;
  private configured: () => void = () => undefined;
  private readonly configurationDone = new Promise<void>((resolve) => {
    this.configured = resolve;
  });
  private lastHit: Hit | null = null;
  private liveThreads = new Set<number>();
  private pauseRequested = false;
  launchStarted = false;
  /** Why there is no scenario to verify line breakpoints against (the launch failed, the session ended), if so. */
  noScenario: string | null = null;
  private readonly bp = new BreakpointRequests(this);
  /** The scenario and trace documents this session serves. */
  private readonly docs = new SourceDocuments((p) => this.convertDebuggerPathToClient(p));
  /** Threads, frames and variables of the current stop. */
  private readonly view = new Frames(this.docs);

  constructor(private readonly files: FileAccessor) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ------------------------------------------------------------------------------------------
  // Errors: handlers throw AdapterError; one place formats the response.

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    // DAP makes pathFormat optional (default "path"); the library refuses its absence.
    if (request.command === 'initialize') {
      const a = (request.arguments ?? {}) as DebugProtocol.InitializeRequestArguments;
      request.arguments = { ...a, pathFormat: a.pathFormat ?? 'path' };
    }
    try {
      const problem = argumentsProblem(request.command, request.arguments);
      if (problem !== null) throw new AdapterError(ERR.request, problem);
      super.dispatchRequest(request);
    } catch (e) {
      this.fail({ seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false }, e);
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    const code = e instanceof AdapterError ? e.code : e instanceof ExprError ? ERR.expression : ERR.request;
    const message = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, {
      id: code,
      format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')),
      showUser: code === ERR.launch || code === ERR.fork,
    });
  }

  guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }

  get runtimeOrNull(): SimRuntime | null {
    return this.rt;
  }

  runtime(): SimRuntime {
    if (this.rt === null) throw new AdapterError(ERR.notLaunched, 'no simulation: launch first');
    return this.rt;
  }

  private stopped(): SimRuntime {
    const rt = this.runtime();
    if (rt.running) throw new AdapterError(ERR.running, 'the simulation is running: pause it first');
    return rt;
  }

  // ------------------------------------------------------------------------------------------
  // Start-up

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      // The client sends configurationDone after the breakpoints, so the run starts with them set.
      supportsConfigurationDoneRequest: true,
      // Step Back and Reverse Continue buttons: time travel restores real state.
      supportsStepBack: true,
      // "Jump to cursor" on trace-document lines, and the `.goto N` console command's sibling.
      supportsGotoTargetsRequest: true,
      // "Restart frame" on a causal frame: go back to just before that step.
      supportsRestartFrame: true,
      // Restart replays from step 0 without relaunching.
      supportsRestartRequest: true,
      // Conditions, hit counts and logpoints in the expression language.
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      // Breakpoints on events and Raft rules by name.
      supportsFunctionBreakpoints: true,
      // "Break on value change" on node variables, forwards and backwards.
      supportsDataBreakpoints: true,
      // Hovers and the console evaluate the expression language, with completions.
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.'],
      // The editor shows the violated invariant, its nodes and explanation.
      supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.id, label: f.label, description: f.description, default: f.default })),
      // Causal chains can be long: the client loads frames page by page.
      supportsDelayedStackTraceLoading: true,
      supportsTerminateRequest: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    this.launchStarted = true;
    this.noScenario = null;
    try {
      await this.launch(args as protocol.LaunchArguments);
    } catch (e) {
      this.noScenario = `the launch failed: ${e instanceof Error ? e.message : String(e)}`;
      this.bp.answerEarly();
      // What the launch refuses is a launch error; a JavaScript error (a bug of ours) keeps its kind.
      const bug = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError;
      this.fail(response, e instanceof AdapterError || (e instanceof Error && !bug) ? new AdapterError(ERR.launch, e.message) : e);
      return;
    }
    // Before waiting for configurationDone: the client sends it only once these are answered.
    this.bp.answerEarly();
    this.sendResponse(response);
    // Wait (briefly) for the client's breakpoints before running.
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 1000))]);
    const rt = this.rt;
    if (rt === null) return; // disconnected while waiting
    this.bp.flushPending();
    const a = args as protocol.LaunchArguments;
    this.output(
      `LifeRaft: ${rt.scenario.file}, seed ${rt.seed}, ${rt.sim.nodes.length - rt.scenario.spares} nodes${rt.scenario.spares > 0 ? ` and ${rt.scenario.spares} spare${rt.scenario.spares === 1 ? '' : 's'}` : ''}${rt.scenario.bugs.length > 0 ? `, planted bugs: ${rt.scenario.bugs.join(', ')}` : ''}${rt.forks.length > 0 ? `, ${rt.forks.length} fork(s)` : ''}${rt.node === null ? '' : `; the nodes run ${rt.node.name} (${rt.node.file})`}. Type .help in this console for commands.\n`,
    );
    if (a.stopOnEntry === true) this.report({ reason: 'entry', description: 'step 0: before the first event' });
    else this.startRun(() => rt.startForward());
  }

  private async launch(a: protocol.LaunchArguments): Promise<void> {
    const plan = await planLaunch(a, (path) => this.read(path), this.files.loadNode);
    if (plan.trace !== null) this.trace = plan.trace;
    this.docs.scenarioPath = plan.scenarioPath;
    const { scenario, seed, forks, maxSteps, node } = plan;
    this.rt = new SimRuntime({
      scenario,
      seed,
      forks,
      ...(node === null ? {} : { node }),
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(a.checkpointEvery === undefined ? {} : { checkpointEvery: a.checkpointEvery }),
      ...(a.checkpointBudgetMB === undefined ? {} : { checkpointBudgetMB: a.checkpointBudgetMB }),
    });
    this.liveThreads = new Set(threadIds(this.runtime()));
  }

  private async read(path: string): Promise<string> {
    try {
      return await this.files.readFile(path);
    } catch (e) {
      throw new AdapterError(ERR.launch, `cannot read ${path}: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Running and stopping

  private startRun(start: () => void): void {
    start();
    this.pauseRequested = false;
    void this.pump();
  }

  /** Runs the runtime in slices, so that a pause request can get in between. */
  private async pump(): Promise<void> {
    // The response to continue/step goes out first; the run starts on the next turn.
    await new Promise((r) => setTimeout(r, 0));
    // Disconnected in between: there is no run to do (nor anything wrong).
    const rt = this.rt;
    if (rt === null) return;
    try {
      await this.pumpSlices(rt);
    } catch (e) {
      // A failure inside the run must not take the adapter down: say it, and stop where we are.
      this.output(`LifeRaft: internal error while running: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, 'stderr');
      if (this.rt !== null) this.report(this.rt.pause());
    }
  }

  private async pumpSlices(rt: SimRuntime): Promise<void> {
    for (;;) {
      if (this.rt !== rt) return; // disconnected
      if (this.pauseRequested) {
        this.pauseRequested = false;
        this.report(rt.pause());
        return;
      }
      const stop = rt.resume(20_000);
      this.flushLogs();
      if (stop !== null) {
        this.report(stop);
        return;
      }
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  /**
   * Reports a stop after the response to the request that caused it has gone out (DAP order);
   * `preserveFocus` keeps the keyboard where it is (a console command).
   */
  private later(stop: Stop, preserveFocus = false): void {
    const rt = this.rt;
    setTimeout(() => {
      if (this.rt === rt && rt !== null) this.report(stop, preserveFocus);
    }, 0);
  }

  private report(stop: Stop, preserveFocus = false): void {
    const rt = this.rt;
    if (rt === null) return; // disconnected meanwhile
    this.flushLogs();
    this.view.clear();
    this.lastHit = stop.hit ?? null;
    const now = new Set(threadIds(this.runtime()));
    for (const t of this.liveThreads) if (!now.has(t)) this.sendEvent(new ThreadEvent('exited', t));
    for (const t of now) if (!this.liveThreads.has(t)) this.sendEvent(new ThreadEvent('started', t));
    this.liveThreads = now;
    const ev = new StoppedEvent(stop.reason, this.stopThread(), stop.hit?.exception?.description) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    ev.body.allThreadsStopped = true;
    if (preserveFocus) ev.body.preserveFocusHint = true;
    if (stop.hit !== undefined && stop.hit.ids.length > 0) ev.body.hitBreakpointIds = [...stop.hit.ids];
    if (stop.reason === 'end') {
      this.output(`${stop.description}\n`);
      this.verifyTrace(rt);
    }
    this.sendEvent(ev);
  }

  /** A run opened from a .rafttrace, once at its last recorded step, must be the run recorded (forks and all). */
  private verifyTrace(rt: SimRuntime): void {
    const t = this.trace;
    if (t === null || rt.position !== t.steps) return;
    this.trace = null;
    const replayed = rt.sim.trace.hash.hex();
    if (replayed === t.traceHash) this.output(`The run reproduces the trace: ${t.steps} steps, trace hash ${t.traceHash}.\n`);
    else
      this.output(
        `WARNING: the run diverges from the trace: recorded hash ${t.traceHash}, replayed ${replayed} (liferaft replay shows the first divergent step).\n`,
        'stderr',
      );
  }

  private flushLogs(): void {
    const logs = this.rt?.breakpoints.logs;
    if (logs === undefined || logs.length === 0) return;
    for (const l of logs) this.output(`#${l.step} ${l.text}\n`);
    logs.length = 0;
  }

  private output(text: string, category: 'console' | 'stdout' | 'stderr' = 'console'): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  /** The thread a stop is reported on: the node of the current step if it runs, else the cluster. */
  private stopThread(): number {
    const rt = this.runtime();
    const n = rt.sim.lastNode;
    return n >= 0 && this.liveThreads.has(n + 1) ? n + 1 : CLUSTER_THREAD;
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      const rt = this.stopped();
      response.body = { allThreadsContinued: true };
      this.startRun(() => rt.startForward());
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.guard(response, () => {
      const rt = this.stopped();
      this.startRun(() => rt.startBackward());
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.guard(response, () => {
      const stop = this.stopped().next();
      this.later(stop);
    });
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.guard(response, () => {
      const stop = this.stopped().stepBack();
      this.later(stop);
    });
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      if (args.threadId === CLUSTER_THREAD) {
        const stop = rt.next();
        this.later(stop);
      } else this.startRun(() => rt.startStepIn(nodeOfThread(rt, args.threadId)));
    });
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const node = args.threadId === CLUSTER_THREAD ? Math.max(0, rt.sim.lastNode) : nodeOfThread(rt, args.threadId);
      this.startRun(() => rt.startStepOut(node));
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => {
      const rt = this.runtime();
      if (rt.running) this.pauseRequested = true;
      else this.later({ reason: 'pause', description: `paused at step ${rt.position}` });
    });
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    this.guard(response, () => {
      const rt = this.stopped();
      rt.goto(0);
      this.later({ reason: 'entry', description: 'restarted: step 0' });
    });
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const step = this.docs.stepOf(this.runtime(), args.source, args.line);
      if (step === null) throw new AdapterError(ERR.goto, `no step at line ${args.line} of ${args.source.name ?? args.source.path ?? 'this source'}`);
      response.body = { targets: [{ id: step, label: `step ${step}: ${rt.describe(step)}`, line: args.line }] };
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.guard(response, () => {
      const stop = this.stopped().goto(args.targetId);
      this.later(stop);
    });
  }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments): void {
    this.guard(response, () => {
      const f = this.view.frame(this.runtime(), args.frameId);
      const rt = this.stopped();
      rt.goto(f.step - 1);
      this.later({ reason: 'restart', description: `before step ${f.step}: the next step re-executes it` });
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    if (this.rt?.running === true) this.rt.pause();
    this.end();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    this.pauseRequested = true;
    this.end();
    // Answers, then ends a stdio adapter's process (ignored inline and in server mode).
    super.disconnectRequest(response, args);
  }

  /** The session is over: no runtime any more, and breakpoints still waiting are answered. */
  private end(): void {
    this.rt = null;
    this.noScenario = 'the debug session has ended';
    this.bp.answerEarly(false);
  }

  // ------------------------------------------------------------------------------------------
  // Threads, frames, scopes, variables

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.guard(response, () => {
      const rt = this.runtime();
      const threads = rt.sim.nodes
        .filter((n) => this.liveThreads.has(n.index + 1))
        .map((n) => new Thread(n.index + 1, `${n.id} (${n.status === 'paused' ? 'paused, ' : ''}${n.state.role}, t${n.state.term})`));
      threads.push(new Thread(CLUSTER_THREAD, `cluster (clients, faults) — step ${rt.position}`));
      response.body = { threads };
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      response.body = this.view.stackTrace(this.stopped(), args);
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    // Served while running too (an editor may ask at any time); describing steps never moves the cursor.
    this.guard(response, () => {
      response.body = this.docs.serve(this.runtime(), args);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      response.body = { scopes: this.view.scopes(this.runtime(), args.frameId) };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      this.stopped();
      response.body = { variables: this.view.variables(args) };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Console, hovers, completions

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const rt = this.stopped();
      const f = this.view.frame(this.runtime(), args.frameId);
      const text = args.expression.trim();
      if (args.context === 'repl' && text.startsWith('.')) {
        const r = runCommand(rt, text, f.top ? null : f.step);
        response.body = { result: r.text, variablesReference: 0 };
        // A stop the user typed in the console leaves the keyboard there (the next command goes to
        // the console, not into the scenario's editor).
        if (r.stop !== null) this.later(r.stop, true);
        return;
      }
      const sim = this.view.simOf(this.runtime(), f);
      const value = Expr.parse(text).evaluate(simEnv(sim));
      const v = this.view.variable(text, value, text);
      response.body = {
        result: args.context === 'repl' && isRec(value) && value.id === undefined ? show(value) : v.value,
        variablesReference: v.variablesReference,
        ...(v.indexedVariables === undefined ? {} : { indexedVariables: v.indexedVariables }),
      };
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.guard(response, () => {
      this.stopped(); // (completions only while stopped)
      const before = args.text.slice(0, Math.max(0, args.column - 1));
      if (before.trimStart().startsWith('.')) {
        const word = before.trimStart();
        response.body = {
          targets: COMMANDS.filter((c) => c.name.startsWith(word)).map((c) => ({
            label: c.name,
            detail: c.usage,
            start: before.length - word.length,
            length: word.length,
          })),
        };
        return;
      }
      const f = this.view.frame(this.runtime(), args.frameId);
      const items = complete(before, simEnv(this.view.simOf(this.runtime(), f)));
      response.body = {
        targets: items.map((c) => ({
          label: c.label,
          start: c.start,
          length: before.length - c.start,
          ...(c.detail === undefined ? {} : { detail: c.detail }),
        })),
      };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.guard(response, () => {
      const ex = this.lastHit?.exception;
      if (ex === undefined) throw new AdapterError(ERR.request, 'not stopped on an exception');
      response.body = {
        exceptionId: ex.id,
        // (VS Code titles it with the id: "exception" is not said twice.)
        description: `${ex.id === 'exception' ? 'thrown' : ex.id} at step ${ex.step}${ex.nodes.length > 0 ? ` (${ex.nodes.join(', ')})` : ''}: ${ex.description}`,
        breakMode: 'always',
        details: {
          message: ex.description,
          typeName: ex.id,
          stackTrace: this.runtime()
            .timeline.chain(ex.step, 20)
            .map((s) => this.runtime().describe(s))
            .join('\n'),
        },
      };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Breakpoints

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.bp.exceptionFilters(args.filters) };
    });
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.bp.lines(response, args);
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.bp.functions(args.breakpoints) };
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      const parent = args.variablesReference === undefined ? undefined : this.view.varRef(args.variablesReference);
      response.body = this.bp.dataInfo(parent === undefined ? args.name : join(parent.path, args.name));
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.bp.data(args.breakpoints) };
    });
  }

  /** Which of this session's sources `source` is (for the breakpoint requests). */
  sourceKind(source: DebugProtocol.Source): SourceKind {
    return this.docs.kind(this.runtime(), source);
  }

  // ------------------------------------------------------------------------------------------
  // Custom requests for the panels

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      const answer = panelRequest(this.stopped(), command, args);
      if (answer.body !== undefined) response.body = answer.body;
      if (answer.stop !== undefined) this.later(answer.stop);
    });
  }
}
