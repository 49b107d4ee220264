// The Cluster panel (webview): nodes on a ring with role, term, vote and election-timer progress,
// messages in flight along the links, cut links and crashed/paused nodes, and a log matrix (index ×
// node, coloured by term, committed entries outlined) — RaftScope's picture, driven by the debugger.
// Browser code: it only draws what the extension posts (typed messages; life cycle in webview.ts).
import type { NodeSnapshot, StateResponseBody } from '../extension/messages';
import { el, goto, runPanel, svg } from './webview';
/** Log columns shown: the newest indexes (a long log is windowed, so a redraw stays cheap). */
const LOG_COLUMNS = 40;

function position(i: number, n: number): { x: number; y: number } {
  const a = (i / n) * 2 * Math.PI;
  return { x: 210 + 150 * Math.sin(a), y: 200 - 150 * Math.cos(a) };
}

function messageClass(type: string): string {
  if (/Vote/.test(type)) return 'vote';
  if (/Append/.test(type)) return 'append';
  if (/Heartbeat/.test(type)) return 'heartbeat';
  return 'client';
}

function ring(s: StateResponseBody): SVGElement {
  const root = svg('svg', { class: 'ring', viewBox: '0 0 420 400', role: 'img', 'aria-label': 'cluster' });
  const n = s.nodes.length;
  const index = new Map(s.nodes.map((x, i) => [x.id, i]));
  const cut = new Set(s.cutLinks.map((l) => l.replace('→', '>')));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const pa = position(a, n);
      const pb = position(b, n);
      const ida = s.nodes[a]!.id;
      const idb = s.nodes[b]!.id;
      const isCut = cut.has(`${ida}>${idb}`) || cut.has(`${idb}>${ida}`);
      root.append(svg('line', { class: `link${isCut ? ' cut' : ''}`, x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y, 'data-link': `${ida}-${idb}` }));
    }
  }
  for (const m of s.inFlight) {
    const from = index.get(m.from);
    const to = index.get(m.to);
    if (from === undefined || to === undefined || from === to) continue;
    const span = Math.max(1, m.arrivesUs - m.sentAtUs);
    const f = Math.min(1, Math.max(0, (s.timeUs - m.sentAtUs) / span));
    const pa = position(from, n);
    const pb = position(to, n);
    const dot = svg('circle', { class: `msg ${messageClass(m.type)}`, r: 6, cx: pa.x + (pb.x - pa.x) * f, cy: pa.y + (pb.y - pa.y) * f, 'data-id': m.id });
    dot.append(svg('title', {}, `${m.from} → ${m.to}: ${m.text} (sent at step ${m.sentAtStep}; click to go there)`));
    // Time travel from the picture: a message takes you to the step that sent it.
    dot.addEventListener('click', () => goto(m.sentAtStep));
    root.append(dot);
  }
  s.nodes.forEach((x, i) => root.append(nodeGlyph(x, position(i, n))));
  return root;
}

/** What a node's place in the configuration adds to its label (nothing for a voter, or when membership never changes). */
const PLACE: Readonly<Record<NonNullable<NodeSnapshot['membership']>, string>> = { voter: '', learner: 'learner', removed: 'removed', spare: 'spare' };

function nodeGlyph(x: NodeSnapshot, p: { x: number; y: number }): SVGElement {
  const place = x.membership === undefined || x.membership === 'voter' ? '' : ` ${x.membership}`;
  const g = svg('g', { class: `node ${x.status === 'up' ? x.role : x.status}${x.status === 'paused' ? ` paused ${x.role}` : ''}${place}`, 'data-node': x.id });
  const r = 34;
  g.append(svg('circle', { class: 'body', cx: p.x, cy: p.y, r }));
  if (x.status === 'up' && x.role !== 'leader' && x.electionTimeout > 0) {
    // Election timer: the arc fills up as the timeout approaches.
    const c = 2 * Math.PI * (r + 5);
    const f = Math.min(1, x.electionElapsed / x.electionTimeout);
    g.append(svg('circle', { class: 'timer', cx: p.x, cy: p.y, r: r + 5, 'stroke-dasharray': `${c * f} ${c}`, transform: `rotate(-90 ${p.x} ${p.y})` }));
  }
  g.append(svg('text', { class: 'id', x: p.x, y: p.y - 9 }, x.id));
  g.append(svg('text', { class: 'term', x: p.x, y: p.y + 7 }, `t${x.term}`));
  g.append(svg('text', { class: 'vote', x: p.x, y: p.y + 20 }, x.vote === null ? '' : `→${x.vote}`));
  const status = x.status !== 'up' ? x.status : x.transferee === undefined ? `${x.role} · commit ${x.commit}` : `${x.role} → ${x.transferee}`;
  const label = x.membership === undefined || PLACE[x.membership] === '' ? status : `${PLACE[x.membership]} · ${status}`;
  g.append(svg('text', { class: 'status', x: p.x, y: p.y + r + 18 }, label));
  g.append(
    svg(
      'title',
      {},
      `${x.id}: ${x.status}, ${x.role}${x.membership === undefined ? '' : ` (${x.membership === 'learner' ? 'a learner catching up to join' : x.membership === 'spare' ? 'a spare, not added' : x.membership === 'removed' ? 'removed from the configuration' : 'a voter'})`}${x.transferee === undefined ? '' : ` handing leadership to ${x.transferee}`}, term ${x.term}, vote ${x.vote ?? '-'}, leader ${x.leader ?? '-'}, commit ${x.commit}, applied ${x.applied}, ${x.logTerms.length} entries (${x.syncedLength} on disk)`,
    ),
  );
  return g;
}

/** Terms get well-spread hues: colour by term, as RaftScope does. */
function termColour(term: number): string {
  return `hsl(${(term * 67) % 360} 55% 55%)`;
}

function logMatrix(s: StateResponseBody): HTMLElement {
  const longest = Math.max(0, ...s.nodes.map((x) => (x.logStart ?? 0) + x.logTerms.length));
  const from = Math.max(1, longest - LOG_COLUMNS + 1);
  const table = el('table', { class: 'log', 'aria-label': 'logs' });
  const head = el('tr');
  head.append(el('th', {}, ''));
  for (let k = from; k <= longest; k++) head.append(el('th', {}, k % 5 === 0 || k === from ? String(k) : ''));
  table.append(head);
  // The leader's view of each follower: match (replicated up to) and next (sent next) markers.
  const leader = s.nodes.filter((x) => x.status === 'up' && x.role === 'leader').sort((a, b) => b.term - a.term)[0];
  for (const x of s.nodes) {
    const row = el('tr', { 'data-node': x.id });
    row.append(el('th', {}, x.id));
    const p = leader === undefined || leader.id === x.id ? undefined : leader.progress[x.id];
    for (let k = from; k <= Math.max(longest, p?.next ?? 0); k++) {
      const start = x.logStart ?? 0;
      const compacted = k <= start;
      const term = compacted ? undefined : x.logTerms[k - start - 1];
      const marks = [
        k <= x.commit && term !== undefined ? 'committed' : '',
        p?.match === k ? 'match' : '',
        p?.next === k ? 'next' : '',
        compacted ? 'compacted' : term === undefined ? 'empty' : '',
      ]
        .filter((c) => c !== '')
        .join(' ');
      const title = `${x.id} [${k}]${compacted ? ' (compacted into the snapshot)' : term === undefined ? ' (none)' : ` term ${term}`}${k <= x.commit && term !== undefined ? ', committed' : ''}${p?.match === k ? `, ${leader!.id}'s match for ${x.id}` : ''}${p?.next === k ? `, ${leader!.id}'s next for ${x.id}` : ''}`;
      row.append(
        el('td', { class: marks, title, ...(term === undefined ? {} : { style: `background:${termColour(term)}` }) }, term === undefined ? '' : String(term)),
      );
    }
    table.append(row);
  }
  return table;
}

function render(s: StateResponseBody, ended: boolean): void {
  const t0 = performance.now();
  const header = el('header');
  header.append(el('span', { class: 'step' }, `step ${s.step}`), el('span', {}, `${(s.timeUs / 1000).toFixed(3)} ms`), el('span', {}, s.phase));
  if (s.violation !== null) header.append(el('span', { class: 'violation' }, `${s.violation.invariant} at step ${s.violation.step}`));
  if (ended) header.append(el('span', { class: 'ended' }, '(session ended)'));
  header.append(el('span', { class: 'event', title: s.event }, s.event));
  const main = el('main');
  const right = el('div');
  right.append(
    logMatrix(s),
    el(
      'div',
      { class: 'legend' },
      `${s.inFlight.length} message(s) in flight · colour = term · outlined = committed · underlined = leader's match · left bar = leader's next${s.cutLinks.length > 0 ? ` · cut: ${s.cutLinks.join(' ')}` : ''}`,
    ),
  );
  if (s.config !== undefined)
    right.append(
      el(
        'div',
        { class: 'config' },
        `configuration (entry ${s.config.index}${s.config.committed ? '' : ', not committed'}): voters ${s.config.voters.join(', ') || '—'}${s.config.learners.length > 0 ? ` · learners ${s.config.learners.join(', ')}` : ''}`,
      ),
    );
  main.append(ring(s), right);
  document.body.replaceChildren(header, main);
  document.body.dataset['step'] = String(s.step);
  document.body.dataset['renderMs'] = (performance.now() - t0).toFixed(2);
}

runPanel((v) => render(v.state, v.ended));
