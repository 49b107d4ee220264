// The Timeline panel (webview): a space-time (Lamport) diagram of the steps around the current one
// — a column per node (and one for clients and faults), a dot per step, an arrow from the step that
// caused it when that was on another node (a message, a reply) — and a scrubber over the whole run.
// Clicking a step or moving the scrubber makes the debugger go there.
import type { StateResponseBody, StepSummary } from '../extension/messages';
import { goto, runPanel, svg, type Shown } from './webview';

const ROW = 16;
const COL = 90;
const LEFT = 70;

function diagram(s: StateResponseBody, steps: readonly StepSummary[]): SVGElement {
  const columns = [...s.nodes.map((n) => n.id), 'cluster'];
  const col = (node: string | null): number => LEFT + COL * (node === null ? columns.length - 1 : Math.max(0, columns.indexOf(node))) + COL / 2;
  const first = steps[0]?.step ?? s.step;
  const y = (step: number): number => 30 + (step - first) * ROW;
  const height = 40 + steps.length * ROW;
  const root = svg('svg', { class: 'spacetime', width: LEFT + COL * columns.length + 10, height, role: 'img', 'aria-label': 'space-time diagram' });
  columns.forEach((c, i) => {
    const x = LEFT + COL * i + COL / 2;
    root.append(svg('text', { class: 'colhead', x, y: 14 }, c));
    root.append(svg('line', { class: 'lifeline', x1: x, y1: 20, x2: x, y2: height - 5 }));
  });
  const byStep = new Map(steps.map((x) => [x.step, x]));
  for (const x of steps) {
    const cause = byStep.get(x.cause);
    if (cause !== undefined && cause.node !== x.node) {
      root.append(
        svg('line', { class: `edge ${x.kind}`, x1: col(cause.node), y1: y(cause.step), x2: col(x.node), y2: y(x.step), 'marker-end': 'url(#arrow)' }),
      );
    }
  }
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  defs.append(marker);
  root.prepend(defs);
  for (const x of steps) {
    const g = svg('g', { class: `step ${x.kind}${x.step === s.step ? ' current' : ''}`, 'data-step': x.step });
    g.append(svg('rect', { class: 'row', x: 0, y: y(x.step) - ROW / 2, width: LEFT + COL * columns.length, height: ROW }));
    g.append(svg('text', { class: 'num', x: 4, y: y(x.step) + 4 }, `#${x.step}`));
    g.append(svg('circle', { class: 'dot', cx: col(x.node), cy: y(x.step), r: x.step === s.step ? 6 : 4 }));
    g.append(svg('title', {}, x.text));
    g.addEventListener('click', () => goto(x.step));
    root.append(g);
  }
  return root;
}

function scrubber(s: StateResponseBody): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'scrubber';
  const max = s.lastStep ?? s.frontier;
  const input = document.createElement('input');
  input.type = 'range';
  input.min = '0';
  input.max = String(max);
  input.value = String(s.step);
  input.setAttribute('aria-label', 'step');
  const label = document.createElement('span');
  label.textContent = `step ${s.step} of ${max}${s.lastStep === null ? ' explored so far' : ''}`;
  input.addEventListener('input', () => {
    label.textContent = `go to step ${input.value} of ${max}`;
  });
  input.addEventListener('change', () => goto(Number(input.value)));
  wrap.append(input, label);
  return wrap;
}

function render(v: Shown): void {
  const header = document.createElement('header');
  header.textContent = `${v.state.event}${v.ended ? '  (session ended)' : ''}`;
  const box = document.createElement('div');
  box.className = 'scroll';
  box.append(diagram(v.state, v.steps));
  document.body.replaceChildren(header, scrubber(v.state), box);
  document.body.dataset['step'] = String(v.state.step);
  document.querySelector('g.step.current')?.scrollIntoView({ block: 'center' });
}

runPanel(render);
