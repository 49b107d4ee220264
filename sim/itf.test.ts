import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigint, itfOfRun, ITF_VARS, writeItf, type ItfTrace } from './itf';
import { Simulation } from './simulation';
import { loadScenario } from './tracefile';

/**
 * The rules of ADR-015 (Apalache's Informal Trace Format), written from the ADR, not from our
 * writer: what a reader (Quint's ofItf, the Rust itf crate, the trace viewer) may rely on.
 */
function itfProblems(t: unknown): string[] {
  const problems: string[] = [];
  const expr = (v: unknown, at: string): void => {
    if (typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) problems.push(`${at}: ${v} is not an integer within ±(2^53 − 1)`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => expr(x, `${at}[${i}]`));
    if (v === null || typeof v !== 'object') return void problems.push(`${at}: ${String(v)} is not an ITF expression`);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    const special = keys.filter((k) => k.startsWith('#'));
    if (special.length > 0) {
      if (keys.length !== 1) return void problems.push(`${at}: ${keys.join(', ')}: a #-form stands alone`);
      const [k] = special;
      const x = o[k!];
      if (k === '#bigint') {
        if (typeof x !== 'string' || !/^-?[0-9]+$/.test(x)) problems.push(`${at}: #bigint ${JSON.stringify(x)} is not [-][0-9]+`);
      } else if (k === '#tup' || k === '#set') {
        if (!Array.isArray(x)) problems.push(`${at}: ${k} holds a list`);
        else x.forEach((y, i) => expr(y, `${at}.${k}[${i}]`));
      } else if (k === '#map') {
        if (!Array.isArray(x)) problems.push(`${at}: #map holds a list`);
        else
          x.forEach((p, i) => {
            if (!Array.isArray(p) || p.length !== 2) problems.push(`${at}.#map[${i}]: a pair [key, value]`);
            else p.forEach((y, j) => expr(y, `${at}.#map[${i}][${j}]`));
          });
      } else problems.push(`${at}: unknown form ${k}`);
      return;
    }
    for (const k of keys) expr(o[k], `${at}.${k}`);
  };
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return ['the trace is not a JSON object'];
  const trace = t as Record<string, unknown>;
  const allowed = new Set(['#meta', 'params', 'vars', 'states', 'loop']);
  for (const k of Object.keys(trace)) if (!allowed.has(k)) problems.push(`unknown trace field ${k}`);
  if (trace['#meta'] !== undefined && (typeof trace['#meta'] !== 'object' || trace['#meta'] === null)) problems.push('#meta is an object');
  const vars = trace.vars;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string')) return [...problems, 'vars is a list of strings'];
  if (!Array.isArray(trace.states)) return [...problems, 'states is a list'];
  (trace.states as unknown[]).forEach((s, i) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return void problems.push(`state ${i} is an object`);
    const st = s as Record<string, unknown>;
    for (const v of vars as string[]) if (!(v in st)) problems.push(`state ${i} lacks ${v}`);
    for (const k of Object.keys(st)) {
      if (k === '#meta') continue;
      if (!(vars as string[]).includes(k)) problems.push(`state ${i}: ${k} is not in vars`);
      expr(st[k], `states[${i}].${k}`);
    }
  });
  return problems;
}

/** Every plain JSON number outside #meta (there should be none: every integer is a #bigint, as Quint writes). */
function plainNumbers(v: unknown, at: string, out: string[]): void {
  if (typeof v === 'number') out.push(at);
  else if (Array.isArray(v)) v.forEach((x, i) => plainNumbers(x, `${at}[${i}]`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '#meta') plainNumbers(x, `${at}.${k}`, out);
}

const root = join(__dirname, '..');
const scenarioAt = (rel: string) => loadScenario(readFileSync(join(root, rel), 'utf8'), rel);
const int = (v: unknown): number => Number((v as { '#bigint': string })['#bigint']);
const byNode = <T>(v: unknown): Map<string, T> => new Map((v as { '#map': [string, T][] })['#map']);

describe('ITF traces (Informal Trace Format)', () => {
  it('a failing regression scenario: valid ITF, a state per step from the initial one, the violation in #meta', () => {
    const scenario = scenarioAt('sim/testdata/bugs/commit-old-term.raftsim');
    const t = itfOfRun(scenario, scenario.seed ?? 1);
    assert.deepEqual(itfProblems(t), []);
    assert.deepEqual(t.vars, ITF_VARS);
    const steps = Number((t['#meta'].steps as { '#bigint': string })['#bigint']);
    assert.equal(t.states.length, steps + 1);
    t.states.forEach((s, i) => {
      assert.equal(s['#meta'].index, i);
      assert.equal(s['#meta'].step, i);
    });
    assert.equal(t.states[0]!.action, 'init');
    assert.equal(t['#meta'].verdict, 'safety');
    const v = t['#meta'].violation as { invariant: string; step: { '#bigint': string } };
    assert.equal(int(v.step), steps, 'the run stops on the violated step, the last state');
    assert.match(v.invariant, /Inv$/);
    const numbers: string[] = [];
    plainNumbers(t.states, 'states', numbers);
    assert.deepEqual(numbers.slice(0, 3), [], 'every integer is a #bigint');
  });

  it('each state is the simulation after that step: terms, roles, commit indexes and logs', () => {
    const scenario = scenarioAt('examples/partitions.raftsim');
    const t = itfOfRun(scenario, 4, { stopAtStep: 600 });
    assert.equal(t.states.length, 601);
    const sim = new Simulation(scenario, 4, { record: true });
    const roles: Record<string, string> = { follower: 'Follower', 'pre-candidate': 'PreCandidate', candidate: 'Candidate', leader: 'Leader' };
    let leaders = 0;
    for (const s of t.states.slice(1)) {
      sim.step();
      assert.equal(s.action, sim.lastStep!.text);
      const term = byNode(s.currentTerm);
      const role = byNode(s.state);
      const commit = byNode(s.commitIndex);
      const log = byNode<{ term: unknown; value: string }[]>(s.log);
      for (const n of sim.nodes) {
        assert.equal(int(term.get(n.id)), n.state.term, `step ${sim.steps} ${n.id} term`);
        assert.equal(role.get(n.id), roles[n.state.role]);
        assert.equal(int(commit.get(n.id)), n.state.commit);
        assert.deepEqual(
          log.get(n.id)!.map((e) => int(e.term)),
          n.state.log.map((e) => e.term),
        );
        if (n.state.role === 'leader') leaders++;
      }
    }
    assert.ok(leaders > 0, 'a leader was elected in the window checked');
  });

  it('the same run writes the same bytes; a window writes the steps asked, indexes from 0', () => {
    const scenario = scenarioAt('examples/default.raftsim');
    const text = (o: Parameters<typeof writeItf>[2]): string => {
      const parts: string[] = [];
      writeItf(scenario, 2, o, (c) => parts.push(c));
      return parts.join('');
    };
    assert.equal(text({ stopAtStep: 300 }), text({ stopAtStep: 300 }));
    const w = JSON.parse(text({ from: 100, to: 150 })) as ItfTrace;
    assert.deepEqual(itfProblems(w), []);
    assert.deepEqual(
      w.states.map((s) => s['#meta'].index),
      Array.from({ length: 51 }, (_, i) => i),
    );
    assert.deepEqual(
      w.states.map((s) => s['#meta'].step),
      Array.from({ length: 51 }, (_, i) => 100 + i),
    );
  });

  it('by default a long run is cut to the last steps that fit the budget, and says which', () => {
    const scenario = scenarioAt('examples/default.raftsim');
    const parts: string[] = [];
    const s = writeItf(scenario, 2, { stopAtStep: 2000, maxBytes: 1024 * 1024 }, (c) => parts.push(c));
    assert.equal(s.windowed, true);
    assert.equal(s.to, 2000);
    assert.ok(s.from > 0 && s.bytes <= 1024 * 1024 + 4096, JSON.stringify(s));
    assert.equal(s.bytes, Buffer.byteLength(parts.join('')));
    const t = JSON.parse(parts.join('')) as ItfTrace;
    assert.deepEqual(itfProblems(t), []);
    assert.equal(t.states[0]!['#meta'].step, s.from);
    assert.equal(t.states.length, s.to - s.from + 1);
    assert.match(String(t['#meta'].description), new RegExp(`states of steps ${s.from}–2000`));
  });

  it('integers beyond 2^53 stay exact as #bigint; the validator refuses them as plain numbers', () => {
    assert.deepEqual(bigint(2n ** 64n + 1n), { '#bigint': '18446744073709551617' });
    assert.deepEqual(bigint(-(2 ** 53) + 1), { '#bigint': '-9007199254740991' });
    assert.throws(() => bigint(1.5), /not an integer/);
    const problems = itfProblems({ vars: ['x'], states: [{ '#meta': { index: 0 }, x: 2 ** 60 }, { y: { '#bigint': '1e3' } }] });
    assert.deepEqual(problems, [
      'states[0].x: 1152921504606847000 is not an integer within ±(2^53 − 1)',
      'state 1 lacks x',
      'state 1: y is not in vars',
      'states[1].y: #bigint "1e3" is not [-][0-9]+',
    ]);
  });
});
