// The Invariants panel (webview): every invariant with its status at the current step; a violation
// with its step (a link: the debugger goes there), nodes and explanation; the run's verdict.
import type { FromPanel, StateResponseBody, ToPanel } from '../extension/messages';

interface VsCodeApi {
  postMessage(m: FromPanel): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

interface Saved {
  state: StateResponseBody;
  ended: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(v: Saved): void {
  const s = v.state;
  const header = el('header');
  header.append(el('span', { class: 'step' }, `step ${s.step}`), el('span', {}, s.verdict === null ? 'run in progress' : `verdict: ${s.verdict}`));
  if (v.ended) header.append(el('span', { class: 'ended' }, '(session ended)'));
  const parts: HTMLElement[] = [header];
  if (s.violation !== null) {
    const x = s.violation;
    const box = el('section', { class: 'violation' });
    const link = el('a', { href: '#', 'data-step': String(x.step) }, `step ${x.step}`);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'goto', step: x.step });
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
  document.body.replaceChildren(...parts);
  document.body.dataset['step'] = String(s.step);
}

let last = (vscode.getState() as Saved | null) ?? null;
if (last !== null) render(last);

window.addEventListener('message', (e: MessageEvent<ToPanel>) => {
  const m = e.data;
  if (m.type === 'state') last = { state: m.state, ended: false };
  else if (m.type === 'ended' && last !== null) last = { ...last, ended: true };
  else return;
  render(last);
  vscode.setState(last);
});

vscode.postMessage({ type: 'ready' });
