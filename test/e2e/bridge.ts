// The bridge between the test driver and the probe extension (probe/probe.ts) in the extension host:
// an HTTP server the probe long-polls for functions to run, answering with their results.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as vscode from 'vscode';

export interface HostContext {
  sleep(ms: number): Promise<void>;
  waitFor<T>(f: () => T | Promise<T>, ms?: number, what?: string): Promise<Exclude<T, false | undefined>>;
  /** Survives between calls (not a reload). */
  state: Record<string, unknown>;
  /** The LifeRaft extension's exports (activating it if needed). */
  liferaft(): Promise<unknown>;
}

export type HostFunction<A, T> = (vs: typeof vscode, args: A, ctx: HostContext) => Promise<T>;

// ------------------------------------------------------------------------------------------------
// The bridge to the probe

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

export class Bridge {
  readonly server: Server;
  private instance: string | null = null;
  private hello: (() => void)[] = [];
  private queue: { id: number; src: string; args: unknown }[] = [];
  private polls: ServerResponse[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  hostInfo: { kind: string; version: string } | null = null;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://x');
    const instance = url.searchParams.get('instance');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (url.pathname === '/hello') {
        const info = JSON.parse(body) as { kind: string; version: string };
        this.instance = instance;
        this.hostInfo = info;
        // Polls of an earlier probe (before a reload) end; their tasks are lost with that host.
        for (const p of this.polls.splice(0)) p.writeHead(410).end();
        for (const f of this.hello.splice(0)) f();
        return void res.writeHead(204).end();
      }
      if (instance !== this.instance) return void res.writeHead(410).end();
      if (url.pathname === '/next') {
        const task = this.queue.shift();
        if (task !== undefined) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task));
        this.polls.push(res);
        setTimeout(() => {
          const i = this.polls.indexOf(res);
          if (i >= 0) {
            this.polls.splice(i, 1);
            res.writeHead(204).end();
          }
        }, 15_000);
        return;
      }
      if (url.pathname === '/done') {
        const r = JSON.parse(body) as { id: number; ok: boolean; value?: unknown; error?: string };
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        if (r.ok) p?.resolve(r.value);
        else p?.reject(new Error(`in the extension host: ${r.error ?? '?'}`));
        return void res.writeHead(204).end();
      }
      res.writeHead(404).end();
    });
  }

  /** Resolves when a probe (a new one, if `fresh`) has said hello. */
  connected(fresh: boolean, ms: number): Promise<void> {
    if (!fresh && this.instance !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the probe extension did not connect within ${ms} ms`)), ms);
      this.hello.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  run(src: string, args: unknown, ms: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`a host function did not answer within ${ms} ms: ${src.slice(0, 200)}`));
      }, ms);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      const task = { id, src, args };
      const poll = this.polls.shift();
      if (poll !== undefined) poll.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task));
      else this.queue.push(task);
    });
  }

  close(): void {
    for (const p of this.polls.splice(0)) p.writeHead(410).end();
    this.server.close();
    this.server.closeAllConnections();
  }
}
