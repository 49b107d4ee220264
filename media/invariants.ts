// The Invariants panel (webview): every invariant with its status at the current step; a violation
// with its step (a link: the debugger goes there), nodes and explanation; the run's verdict.
import type { LinOperation } from '../extension/messages';
import { keyTimeline } from './lin-view';
import { el, goto, runPanel, type Shown } from './webview';

function render(v: Shown): void {
  const s = v.state;
  const header = el('header');
  header.append(
    el('span', { class: 'step' }, `step ${s.step}`),
    el('span', {}, s.verdict !== null ? `verdict: ${s.verdict}` : v.ended ? 'no verdict: the session ended before the run did' : 'run in progress'),
  );
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

/** The operations on the failing key along virtual time (the shared linearizability view). */
function timeAxis(key: string, ops: readonly LinOperation[]): HTMLElement {
  const box = el('section', { class: 'lin' });
  box.append(el('h2', {}, `Linearizability: the operations on key ${key}`));
  box.append(keyTimeline({ key, result: 'illegal', linearized: 0, operations: ops }, 'µs'));
  return box;
}

runPanel(render);
