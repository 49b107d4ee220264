// The Cluster panel in headless Chromium (Debian's, through playwright-core): the built panel script
// on a page like the webview's, a stub acquireVsCodeApi, and a state recorded from a real debug
// session. Checks what is drawn, that a click posts "go to step", that a hidden panel restores
// from its saved state, and the three theme kinds; screenshots go to test-artifacts/ for review.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { InlineClient } from '../debug-adapter/inline-client';
import type { StateResponseBody, StepSummary } from '../debug-adapter/protocol';
import { SimDebugSession } from '../debug-adapter/session';
import { linPage } from '../cli/cmd-check';
import { checkHistory, linReport, readHistory } from '../sim';

const root = join(__dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(root, 'test-artifacts');

const THEMES = {
  dark: {
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-disabledForeground': '#808080',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-errorForeground': '#f48771',
  },
  light: {
    '--vscode-foreground': '#3b3b3b',
    '--vscode-editor-background': '#ffffff',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-purple': '#652d90',
    '--vscode-disabledForeground': '#616161',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-errorForeground': '#a1260d',
  },
  'high-contrast': {
    '--vscode-foreground': '#ffffff',
    '--vscode-editor-background': '#000000',
    '--vscode-charts-yellow': '#ffff00',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-orange': '#ff8c00',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-disabledForeground': '#a5a5a5',
    '--vscode-descriptionForeground': '#ffffff',
    '--vscode-errorForeground': '#f48771',
  },
} as const;

/** A state (and the steps around it) from a real session: the default scenario, seed 3, at `step`. */
async function recorded(step: number, bugs: string[] = []): Promise<{ state: StateResponseBody; steps: StepSummary[] }> {
  const session = new SimDebugSession({ readFile: async () => readFileSync(join(root, 'examples/default.raftsim'), 'utf8') });
  const dc = new InlineClient(session);
  await dc.request('initialize', { adapterID: 'liferaft' });
  const entry = dc.stopped();
  await dc.request('launch', { scenario: 'default.raftsim', seed: bugs.length > 0 ? 1 : 3, stopOnEntry: true, bugs });
  await dc.request('configurationDone');
  await entry;
  if (step > 0) await dc.stop('goto', { threadId: 1000, targetId: step });
  const state = (await dc.request('liferaft/state')).body as StateResponseBody;
  const steps = ((await dc.request('liferaft/steps', { from: Math.max(1, step - 60), count: 81 })).body as { steps: StepSummary[] }).steps;
  return { state, steps };
}

async function recordedState(step: number, bugs: string[] = []): Promise<StateResponseBody> {
  return (await recorded(step, bugs)).state;
}

async function open(page: Page, theme: keyof typeof THEMES, saved: unknown = null, panel = 'cluster'): Promise<void> {
  const vars = Object.entries(THEMES[theme])
    .map(([k, v]) => `${k}:${v}`)
    .join(';');
  await page.setContent(`<!DOCTYPE html><html><head><style>:root{${vars};--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace}</style>
<style>${readFileSync(join(root, 'media/panels.css'), 'utf8')}</style></head><body class="vscode-${theme}"></body></html>`);
  // Functions passed to the page are compiled by tsx, which names them with a helper: give the page one.
  await page.evaluate('window.__name = (f) => f');
  await page.evaluate((s) => {
    const w = globalThis as unknown as { posted: unknown[]; saved: unknown; acquireVsCodeApi: () => unknown };
    w.posted = [];
    w.saved = s;
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.posted.push(m), getState: () => w.saved, setState: (x: unknown) => (w.saved = x) });
  }, saved);
  await page.addScriptTag({ content: readFileSync(join(root, `dist/media/${panel}.js`), 'utf8') });
}

async function post(page: Page, state: StateResponseBody, steps?: StepSummary[]): Promise<void> {
  await page.evaluate(
    ([s, w]) => (globalThis as unknown as { postMessage: (m: unknown, o: string) => void }).postMessage({ type: 'state', state: s, steps: w }, '*'),
    [state, steps] as const,
  );
  await page.waitForFunction(`document.body.dataset.step === "${state.step}"`);
}

describe('Cluster panel in Chromium', function () {
  this.timeout(120_000);
  let scratch = '';
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | null = null;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env['LIFERAFT_E2E'] === '1') assert.fail(`${CHROMIUM} is missing: apt-get install -y chromium`);
      console.log(`      (skipped: ${CHROMIUM} is not installed — apt-get install -y chromium)`);
      this.skip();
    }
    scratch = mkdtempSync(join(tmpdir(), 'liferaft-panels-'));
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, HOME: scratch, XDG_CONFIG_HOME: join(scratch, '.config'), XDG_CACHE_HOME: join(scratch, '.cache') },
      viewport: { width: 1100, height: 560 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('draws the nodes, their roles and terms, messages in flight, cut links and the logs', async () => {
    const s = await recordedState(1500);
    await open(page, 'dark');
    assert.deepEqual(await page.evaluate('window.posted'), [{ type: 'ready' }]);
    await post(page, s);
    for (const n of s.nodes) {
      const cls = await page.getAttribute(`g.node[data-node="${n.id}"]`, 'class');
      assert.match(cls ?? '', new RegExp(n.status === 'up' ? n.role : n.status), `${n.id} drawn as ${n.status} ${n.role}`);
      assert.equal(await page.textContent(`g.node[data-node="${n.id}"] text.term`), `t${n.term}`);
    }
    const drawn = await page.locator('circle.msg').count();
    assert.equal(drawn, s.inFlight.filter((m) => m.from !== m.to).length, 'one dot per message in flight');
    assert.equal((await page.locator('line.link.cut').count()) > 0, s.cutLinks.length > 0);
    assert.equal(await page.locator('table.log tr[data-node]').count(), s.nodes.length);
    const committed = await page.locator('table.log td.committed').count();
    assert.ok(s.nodes.some((n) => n.commit > 0) ? committed > 0 : committed === 0);
    assert.match((await page.textContent('header')) ?? '', /step 1500/);
    // The leader's match and next for each follower are marked in the log matrix.
    const leader = s.nodes.find((n) => n.status === 'up' && n.role === 'leader');
    if (leader !== undefined) {
      for (const [id, p] of Object.entries(leader.progress)) {
        if (id === leader.id) continue;
        const row = page.locator(`table.log tr[data-node="${id}"]`);
        assert.equal(await row.locator('td.next').count(), 1, `${id}: next marker`);
        assert.match((await row.locator('td.next').getAttribute('title')) ?? '', new RegExp(`\\[${p.next}\\]`));
        if (p.match > 0) assert.match((await row.locator('td.match').getAttribute('title')) ?? '', new RegExp(`\\[${p.match}\\]`));
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, 'cluster-dark.png') });
    console.log(`      redraw at 5 nodes: ${await page.evaluate('document.body.dataset.renderMs')} ms`);
  });

  it('a click on a message posts "go to" the step that sent it', async () => {
    const s = await recordedState(1500);
    await open(page, 'light');
    await post(page, s);
    const dot = page.locator('circle.msg').first();
    const id = Number(await dot.getAttribute('data-id'));
    await dot.dispatchEvent('click');
    const posted = (await page.evaluate('window.posted')) as unknown[];
    assert.deepEqual(posted[posted.length - 1], { type: 'goto', step: s.inFlight.find((m) => m.id === id)!.sentAtStep });
    await page.screenshot({ path: join(ARTIFACTS, 'cluster-light.png') });
  });

  it('restores itself from its saved state, shows a violation, and draws in high contrast', async () => {
    const s = await recordedState(3220, ['vote-without-log-check']);
    assert.notEqual(s.violation, null);
    await open(page, 'high-contrast');
    await post(page, s);
    const saved = await page.evaluate('window.saved');
    await open(page, 'high-contrast', saved);
    await page.waitForFunction('document.body.dataset.step === "3220"');
    assert.match((await page.textContent('header .violation')) ?? '', /LeaderCompletenessInv at step 3220/);
    await page.screenshot({ path: join(ARTIFACTS, 'cluster-high-contrast.png') });
  });

  it('a leader handing leadership over shows its transferee (a real session stopped on transfer.start)', async () => {
    const text = 'nodes 3\nprevote on\ncheckquorum on\nworkload clients=1 keys=1\nswarm off\nsafety 2s\nliveness 3s\nat 600ms transfer n2\n';
    const session = new SimDebugSession({ readFile: async () => text });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: 'transfer.raftsim', seed: 1, stopOnEntry: true });
    await dc.request('setFunctionBreakpoints', { breakpoints: [{ name: 'transfer.start' }] });
    await dc.request('configurationDone');
    await entry;
    await dc.stop('continue', { threadId: 1000 });
    const s = (await dc.request('liferaft/state')).body as StateResponseBody;
    const leader = s.nodes.find((n) => n.role === 'leader')!;
    assert.equal(leader.transferee, 'n2');
    assert.ok(s.nodes.every((n) => n === leader || n.transferee === undefined));
    await open(page, 'light');
    await post(page, s);
    assert.equal(await page.textContent(`g.node[data-node="${leader.id}"] text.status`), 'leader → n2');
    assert.match((await page.textContent(`g.node[data-node="${leader.id}"] title`)) ?? '', /leader handing leadership to n2, term/);
  });

  it('a membership change shows learners, spares and the configuration (a real session stopped on a configChange breakpoint)', async () => {
    const text = 'nodes 3\nspares 2\nprevote on\ncheckquorum on\nworkload clients=1 keys=1\nswarm off\nsafety 2s\nliveness 3s\nat 600ms add n4\n';
    const session = new SimDebugSession({ readFile: async () => text });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: 'membership.raftsim', seed: 1, stopOnEntry: true });
    await dc.request('setFunctionBreakpoints', { breakpoints: [{ name: 'config.start' }] });
    await dc.request('configurationDone');
    await entry;
    await dc.stop('continue', { threadId: 1000 });
    const s = (await dc.request('liferaft/state')).body as StateResponseBody;
    assert.deepEqual(s.config, { voters: ['n1', 'n2', 'n3'], learners: ['n4'], index: s.config!.index, committed: false });
    assert.deepEqual(
      s.nodes.map((n) => n.membership),
      ['voter', 'voter', 'voter', 'learner', 'spare'],
    );
    await open(page, 'light');
    await post(page, s);
    assert.match((await page.textContent('g.node[data-node="n4"] text.status')) ?? '', /^learner · follower/);
    assert.match((await page.textContent('g.node[data-node="n5"] title')) ?? '', /a spare, not added/);
    assert.match((await page.textContent('.config')) ?? '', /configuration \(entry \d+, not committed\): voters n1, n2, n3 · learners n4/);
    assert.equal(await page.getAttribute('g.node[data-node="n4"]', 'class'), 'node follower learner');
  });

  it('a log of 10,000 entries on 5 nodes is windowed to its newest columns', async () => {
    const s = await recordedState(1500);
    const big: StateResponseBody = {
      ...s,
      nodes: s.nodes.map((n) => ({ ...n, logTerms: Array.from({ length: 10_000 }, (_, i) => 1 + Math.floor(i / 700)), commit: 9_990 })),
    };
    await open(page, 'dark');
    await post(page, big);
    assert.equal(await page.locator('table.log tr[data-node]').first().locator('td').count(), 40);
    console.log(`      redraw at 5 nodes × 10k entries: ${await page.evaluate('document.body.dataset.renderMs')} ms`);
    // After compaction a node holds only the entries after its log start: the columns before it are
    // drawn as compacted, the others at their own index.
    const compacted: StateResponseBody = {
      ...big,
      nodes: big.nodes.map((n, i) => (i === 0 ? { ...n, logStart: 9_980, logTerms: n.logTerms.slice(9_980) } : n)),
    };
    await post(page, compacted);
    const first = page.locator('table.log tr[data-node]').first();
    assert.equal(await first.locator('td.compacted').count(), 20, 'indexes 9961..9980 (of the 40 newest columns) are in the snapshot');
    assert.equal(await first.locator('td').last().textContent(), String(1 + Math.floor(9_999 / 700)), 'the last entry keeps its index and term');
  });

  it('Timeline: a space-time diagram around the current step, causes drawn across nodes; a click or the scrubber goes to a step', async () => {
    const { state, steps } = await recorded(1500);
    await open(page, 'dark', null, 'timeline');
    await post(page, state, steps);
    assert.equal(await page.locator('g.step').count(), steps.length);
    assert.equal(await page.getAttribute('g.step.current', 'data-step'), '1500');
    const crossing = steps.filter((x) => steps.some((c) => c.step === x.cause && c.node !== x.node)).length;
    assert.equal(await page.locator('line.edge').count(), crossing, 'an arrow for each cause on another node');
    assert.ok(crossing > 0);
    await page.locator('g.step[data-step="1480"]').dispatchEvent('click');
    let posted = (await page.evaluate('window.posted')) as unknown[];
    assert.deepEqual(posted[posted.length - 1], { type: 'goto', step: 1480 });
    await page.locator('.scrubber input').fill('42');
    await page.locator('.scrubber input').dispatchEvent('change');
    posted = (await page.evaluate('window.posted')) as unknown[];
    assert.deepEqual(posted[posted.length - 1], { type: 'goto', step: 42 });
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-dark.png') });
  });

  it('Invariants: every invariant with its status; the violation links to its step', async () => {
    const s = await recordedState(3220, ['vote-without-log-check']);
    await open(page, 'light', null, 'invariants');
    await post(page, s);
    assert.equal(await page.locator('table.invariants tr').count(), s.invariants.length);
    assert.equal(await page.locator('table.invariants tr.bad').count(), 1);
    assert.equal(await page.getAttribute('table.invariants tr.bad', 'data-invariant'), 'LeaderCompletenessInv');
    assert.match((await page.textContent('section.violation')) ?? '', /LeaderCompletenessInv violated.*lacks committed entry.*at step 3220.*nodes n4/s);
    await page.locator('section.violation a').click();
    const posted = (await page.evaluate('window.posted')) as unknown[];
    assert.deepEqual(posted[posted.length - 1], { type: 'goto', step: 3220 });
    await page.screenshot({ path: join(ARTIFACTS, 'invariants-light.png') });
  });

  it("Invariants: a linearizability failure shows the failing key's operations on a time axis", async () => {
    const session = new SimDebugSession({ readFile: async () => readFileSync(join(root, 'examples/default.raftsim'), 'utf8') });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    const stop = dc.stopped();
    // Seed 69 of the default scenario with a planted stale read: the history is not linearizable.
    await dc.request('launch', { scenario: 'default.raftsim', seed: 69, bugs: ['stale-read'], stopOnEntry: false });
    await dc.request('configurationDone');
    await stop;
    const s = (await dc.request('liferaft/state')).body as StateResponseBody;
    assert.equal(s.violation?.invariant, 'Linearizability');
    assert.equal(s.linearizability.result, 'illegal');
    const ops = s.linearizability.operations!;
    assert.ok(ops.some((o) => o.illegal) && ops.every((o) => o.text.length > 0));
    await open(page, 'dark', null, 'invariants');
    await post(page, s);
    assert.equal(await page.locator('svg.lin-axis g.op').count(), ops.length);
    assert.equal(await page.locator('svg.lin-axis g.op.illegal').count(), ops.filter((o) => o.illegal).length);
    assert.match((await page.textContent('section.lin h2')) ?? '', new RegExp(`key ${s.linearizability.key!}`));
    await page.screenshot({ path: join(ARTIFACTS, 'invariants-linearizability.png'), fullPage: true });
  });

  it('the page check --html writes stands alone: the verdict, the failing key in red, the linearization, hover, zoom, no request', async () => {
    // A Jepsen history (EDN): key :x has a read of 1 after a write of 2 completed; key :y is fine.
    const edn = [
      '{:type :invoke, :f :write, :value [:x 1], :process 0}',
      '{:type :ok, :f :write, :value [:x 1], :process 0}',
      '{:type :invoke, :f :write, :value [:y 5], :process 3}',
      '{:type :ok, :f :write, :value [:y 5], :process 3}',
      '{:type :invoke, :f :write, :value [:x 2], :process 0}',
      '{:type :ok, :f :write, :value [:x 2], :process 0}',
      '{:type :invoke, :f :read, :value [:x nil], :process 1}',
      '{:type :ok, :f :read, :value [:x 1], :process 1}',
      '{:type :invoke, :f :read, :value [:y nil], :process 2}',
      '{:type :ok, :f :read, :value [:y 5], :process 2}',
    ].join('\n');
    const h = readHistory(edn, 'history.edn');
    const r = checkHistory(h.operations);
    assert.equal(r.result, 'illegal');
    const html = linPage(linReport(h.operations, r, { title: 'history.edn', elapsedMs: 1, lines: h.lines }));
    const requests: string[] = [];
    const errors: string[] = [];
    const onRequest = (q: { url(): string }): void => {
      if (!/^(data|about):/.test(q.url())) requests.push(q.url());
    };
    const onError = (e: Error): void => {
      errors.push(String(e));
    };
    page.on('request', onRequest);
    page.on('pageerror', onError);
    try {
      await page.setContent(html);
      await page.waitForSelector('svg.lin-axis');
      assert.equal(await page.evaluate('document.body.dataset.result'), 'illegal');
      assert.match((await page.textContent('header')) ?? '', /NOT linearizable\s*history\.edn: 5 operations on 2 keys/);
      const keys = await page.locator('details.lin-key > summary').allTextContents();
      assert.match(keys[0]!, /^key ":x", 3 operations — NOT linearizable: 3 operations cannot be ordered together/, 'the failing key first');
      assert.match(keys[1]!, /^key ":y", 2 operations — linearizable/);
      assert.equal(await page.locator('details.lin-key[data-key=":x"] g.op.illegal').count(), 3);
      assert.ok((await page.locator('details.lin-key[data-key=":x"] .lin-point').count()) >= 1, 'the longest partial linearization is drawn');
      await page.hover('details.lin-key[data-key=":x"] g.op.illegal >> nth=2');
      const hover = (await page.textContent('.lin-hover')) ?? '';
      assert.match(hover, /get :x → "1"[^]*line 7[^]*cannot be ordered together/);
      const span = async (): Promise<number> =>
        page.evaluate(
          '(() => { const t = document.querySelector(\'details.lin-key[data-key=":x"] .lin-timeline\'); return Number(t.dataset.w1) - Number(t.dataset.w0); })()',
        ) as Promise<number>;
      const whole = await span();
      await page.click('details.lin-key[data-key=":x"] button[data-action="zoom-in"]');
      assert.ok((await span()) < whole, 'zoomed in');
      await page.click('details.lin-key[data-key=":x"] button[data-action="fit"]');
      assert.equal(await span(), whole, 'fit shows the whole key');
      await page.screenshot({ path: join(ARTIFACTS, 'check-html.png'), fullPage: true });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [], 'the page fetches nothing');
    } finally {
      page.off('request', onRequest);
      page.off('pageerror', onError);
    }
  });
});
