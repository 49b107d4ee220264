// A DAP client that talks to a session object directly (no stream), the way VS Code drives an
// inline adapter: for the benchmark and for tests of the adapter in a browser-like realm.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SimDebugSession } from './session';

/** A DAP client talking to a session object directly (no stream), like VS Code's inline adapters. */
export class InlineClient {
  private seq = 1;
  private readonly waiting = new Map<number, (r: DebugProtocol.Response) => void>();
  private stopWaiters: ((e: DebugProtocol.StoppedEvent) => void)[] = [];
  /** Sees every message the adapter sends, in order (the session has room for one listener: this client). */
  tap: ((m: DebugProtocol.ProtocolMessage) => void) | null = null;

  constructor(private readonly session: SimDebugSession) {
    session.onDidSendMessage((m) => {
      const msg = m as DebugProtocol.ProtocolMessage;
      this.tap?.(msg);
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        this.waiting.get(r.request_seq)?.(r);
        this.waiting.delete(r.request_seq);
      } else if (msg.type === 'event' && (msg as DebugProtocol.Event).event === 'stopped') {
        const w = this.stopWaiters;
        this.stopWaiters = [];
        for (const f of w) f(msg as DebugProtocol.StoppedEvent);
      }
    });
  }

  request(command: string, args: unknown = {}): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const p = new Promise<DebugProtocol.Response>((resolve, reject) => {
      this.waiting.set(seq, (r) => (r.success ? resolve(r) : reject(new Error(`${command}: ${r.message}`))));
    });
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return p;
  }

  stopped(): Promise<DebugProtocol.StoppedEvent> {
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  /** Sends a request and waits until the adapter reports the stop it causes. */
  async stop(command: string, args: unknown = {}): Promise<DebugProtocol.StoppedEvent> {
    const s = this.stopped();
    await this.request(command, args);
    return s;
  }
}
