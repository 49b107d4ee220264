import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InlineClient } from './inline-client';
import { argumentsProblem } from './request-args';
import { SimDebugSession } from './session';

describe('DAP request arguments', () => {
  it('are checked against the protocol types, naming the field', () => {
    assert.equal(argumentsProblem('stackTrace', { threadId: 1000 }), null);
    assert.equal(argumentsProblem('stackTrace', null), 'threadId is missing');
    assert.equal(argumentsProblem('stackTrace', { threadId: 'a' }), 'threadId must be an integer (got "a")');
    assert.equal(argumentsProblem('scopes', []), 'the arguments must be an object (got [])');
    assert.equal(argumentsProblem('gotoTargets', { source: { path: 10 }, line: 3 }), 'source.path must be a string (got 10)');
    assert.equal(
      argumentsProblem('setBreakpoints', { source: { path: '/a.raftsim' }, breakpoints: [{ line: 2 }, { line: 'x' }] }),
      'breakpoints[1].line must be an integer (got "x")',
    );
    assert.equal(argumentsProblem('setExceptionBreakpoints', { filters: '' }), 'filters must be an array of strings (got "")');
    assert.equal(argumentsProblem('setFunctionBreakpoints', {}), 'breakpoints is missing');
    assert.equal(argumentsProblem('evaluate', { expression: 'step', frameId: null }), 'frameId must be an integer (got null)');
    // Extra fields pass (clients send them, DAP grows); commands the adapter checks itself are left alone.
    assert.equal(argumentsProblem('next', { threadId: 1, extra: [] }), null);
    assert.equal(argumentsProblem('launch', 7), null);
    assert.equal(argumentsProblem('liferaft/goto', 'x'), null);
  });

  it('a live session refuses bad ones with that message and keeps serving', async () => {
    const text = readFileSync(join(__dirname, '..', 'examples', 'default.raftsim'), 'utf8');
    const session = new SimDebugSession({ readFile: async () => text });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: '/w/default.raftsim', seed: 3, stopOnEntry: true });
    await dc.request('configurationDone');
    await entry;
    // Each of these once threw a TypeError inside a handler.
    await assert.rejects(dc.request('stackTrace', null), /^Error: stackTrace: threadId is missing$/);
    await assert.rejects(dc.request('setFunctionBreakpoints', { threadId: 'a' }), /breakpoints is missing/);
    await assert.rejects(dc.request('gotoTargets', { source: { path: 10 }, line: [] }), /source\.path must be a string/);
    await assert.rejects(dc.request('setExceptionBreakpoints', { filters: '' }), /filters must be an array of strings/);
    const frames = await dc.request('stackTrace', { threadId: 1000 });
    assert.equal((frames.body as { stackFrames: unknown[] }).stackFrames.length, 1);
    session.dispose();
  });

  it('a run asked for, then a disconnect before it begins: no internal error', async () => {
    const text = readFileSync(join(__dirname, '..', 'examples', 'default.raftsim'), 'utf8');
    const session = new SimDebugSession({ readFile: async () => text });
    const dc = new InlineClient(session);
    const outputs: string[] = [];
    dc.tap = (m) => {
      const e = m as { type: string; event?: string; body?: { output?: string } };
      if (e.type === 'event' && e.event === 'output') outputs.push(String(e.body?.output));
    };
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: '/w/default.raftsim', seed: 3, stopOnEntry: true });
    await dc.request('configurationDone');
    await entry;
    await dc.request('continue', { threadId: 1000 });
    await dc.request('disconnect', {});
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(
      outputs.filter((o) => /internal error/.test(o)),
      [],
    );
    session.dispose();
  });

  it('a launch with no arguments object is refused as a launch configuration, not with a TypeError', async () => {
    const session = new SimDebugSession({ readFile: async () => '' });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    await assert.rejects(
      dc.request('launch', null),
      /invalid launch configuration: the arguments must be an object with "scenario" \(a \.raftsim path\) or "trace" \(a \.rafttrace path\) \(got null\)$/,
    );
    session.dispose();
  });
});
