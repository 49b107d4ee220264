// The Invariants panel (webview): every invariant with its status at the current step; a violation
// with its step (a link: the debugger goes there), nodes and explanation; the run's verdict.
import type { LinOperation } from '../extension/messages';
import { el, goto, runPanel, svg, type Shown } from './webview';


function render(v: Shown): void {
  const s = v.state;
  const header = el('header');
  header.append(el('span', { class: 'step' }, `step ${s.step}`), el('span', {}, s.verdict !== null ? `verdict: ${s.verdict}` : v.ended ? 'no verdict: the session ended before the run did' : 'run in progress'));
  if (v.ended && s.verdict !== null) header.append(el('span', { class: 'ended' }, '(session ended)'));
  const parts: HTMLElement[] = [header];
  if (s.violation !== null) {
    const x = s.violation;
    const box = el('section', { class: 'violation' });
    const link = el('a', { href: '#', 'data-step': String(x.step) }, `step ${x.step}`);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      goto(x.step);
    });
    box.append(el('h2', {}, `${x.invariant} violated`), el('p', {}, x.message));
    const where = el('p');
    where.append('at ', link, ` (${(x.time / 1000).toFixed(3)} ms)${x.nodes.length > 0 ? `, nodes ${x.nodes.join(', ')}` : ''}`);
    box.append(where);
    parts.push(box);
  }
  const table = el('table', { class: 'invariants' });
  for (const i of s.invariants) {
    const bad = i.status.startsWith('VIOLATED');
    const off = i.status.startsWith('not checked');
    const row = el('tr', { class: bad ? 'bad' : off ? 'off' : 'ok', 'data-invariant': i.name });
    row.append(el('td', { class: 'mark' }, bad ? '✖' : off ? '–' : '✔'), el('td', { class: 'name' }, i.name), el('td', { class: 'status' }, i.status));
    table.append(row);
  }
  parts.push(table);
  const lin = s.linearizability;
  if (lin.operations !== undefined && lin.key !== undefined) parts.push(timeAxis(lin.key, lin.operations));
  document.body.replaceChildren(...parts);
  document.body.dataset['step'] = String(s.step);
}


/**
 * The operations on the failing key along virtual time, one row per client: a bar from call to
 * return (dashed to the end when it never returned); the ones that cannot be linearized in red.
 */
function timeAxis(key: string, ops: readonly LinOperation[]): HTMLElement {
  const box = el('section', { class: 'lin' });
  box.append(el('h2', {}, `Linearizability: the operations on key ${key}`), el('p', { class: 'legend' }, 'Each bar runs from the call to the answer; the red ones cannot be ordered consistently with what the others saw.'));
  const clients = [...new Set(ops.map((o) => o.client))].sort();
  const t0 = Math.min(...ops.map((o) => o.call));
  const t1 = Math.max(...ops.map((o) => o.return ?? o.call)) + 1;
  const width = 760;
  const left = 50;
  const x = (t: number): number => left + ((t - t0) / (t1 - t0)) * (width - left - 10);
  const rowH = 34;
  const root = svg('svg', { class: 'lin-axis', width, height: 24 + clients.length * rowH, role: 'img', 'aria-label': `operations on ${key}` });
  clients.forEach((c, i) => root.append(svg('text', { class: 'client', x: 4, y: 24 + i * rowH + 14 }, c)));
  for (const o of ops) {
    const row = clients.indexOf(o.client);
    const y = 24 + row * rowH;
    const end = o.return ?? t1;
    const g = svg('g', { class: `op${o.illegal ? ' illegal' : ''}${o.return === null ? ' pending' : ''}`, 'data-index': o.index });
    g.append(svg('rect', { x: x(o.call), y, width: Math.max(2, x(end) - x(o.call)), height: 18, rx: 3 }));
    // A label only where it fits (the title always has the whole operation).
    const label = o.text.replace(/^#\d+ /, '').replace(/ \[[^\]]*\]$/, '');
    const room = x(end) - x(o.call);
    if (room > label.length * 6 || o.illegal) g.append(svg('text', { x: Math.min(x(o.call) + 3, width - label.length * 6), y: y + 13 }, label));
    g.append(svg('title', {}, `${o.text}: called at ${(o.call / 1000).toFixed(3)} ms, ${o.return === null ? 'never answered' : `answered at ${(o.return / 1000).toFixed(3)} ms`}${o.illegal ? ' — cannot be linearized' : ''}`));
    root.append(g);
  }
  root.append(svg('text', { class: 'tick', x: left, y: 12 }, `${(t0 / 1000).toFixed(1)} ms`), svg('text', { class: 'tick', x: width - 80, y: 12 }, `${(t1 / 1000).toFixed(1)} ms`));
  box.append(root);
  return box;
}

runPanel(render);
