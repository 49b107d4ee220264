// The linearizability view, shared by the Invariants panel, the "Check Linearizability" webview and
// the page `liferaft check --html` writes: per key, its operations by client along time (a bar from
// call to return, dashed to the end when it never returned), the linearization found (numbered, and
// drawn as a path through points inside the bars, in order), the operations that cannot be ordered
// in red. Zoom with the wheel or the buttons, drag to pan, hover for the whole operation.
import type { LinKeyView, LinOperationView, LinReport } from '../extension/messages';
import { el, svg } from './dom';

const ROW = 26;
const LANE = 21;
const LEFT = 64;
const TOP = 22;

/** The whole report: a summary, then one section per key (the failing one first, open). */
export function linView(report: LinReport): HTMLElement {
  const root = el('div', { class: 'lin-report' });
  const head = el('header');
  head.append(
    el('span', { class: `verdict ${report.result}` }, report.result === 'ok' ? 'linearizable' : report.result === 'illegal' ? 'NOT linearizable' : 'unknown'),
    el(
      'span',
      {},
      `${report.title}: ${report.operations} operations on ${report.keys.length} key${report.keys.length === 1 ? '' : 's'}, checked in ${report.elapsedMs} ms`,
    ),
  );
  root.append(head);
  if (report.reason !== undefined) root.append(el('p', { class: 'reason' }, `gave up: ${report.reason}`));
  if (report.hint !== undefined) root.append(el('p', { class: 'hint' }, `Hint: ${report.hint}`));
  root.append(
    el(
      'p',
      { class: 'legend' },
      'One row per client; each bar runs from the call to the answer (dashed: never answered). The purple path goes through the operations in the order of the linearization found — for an illegal key, the longest partial one; grey: operations it leaves out; red: operations that cannot be ordered together (a minimal such set, each read kept with a writer of its value). Wheel or +/− to zoom, drag to pan, hover for details (in VS Code, click to see the line).',
    ),
  );
  report.keys.forEach((k, i) => {
    const details = el('details', { class: `lin-key ${k.result.replace(' ', '-')}`, 'data-key': k.key });
    const illegal = k.operations.filter((o) => o.illegal).length;
    const what =
      k.result === 'illegal'
        ? `NOT linearizable: ${illegal === 1 ? '1 operation cannot be ordered' : `${illegal} operations cannot be ordered together`} (red); the longest partial linearization found orders ${k.linearized} of the key's operations`
        : k.result === 'ok'
          ? k.linearized > 0
            ? 'linearizable'
            : 'linearizable (no order shown: finding one took too long)'
          : k.result === 'unknown'
            ? 'undecided'
            : 'not checked (the check stopped at the failing key)';
    details.append(el('summary', {}, `key ${JSON.stringify(k.key)}, ${k.operations.length} operation${k.operations.length === 1 ? '' : 's'} — ${what}`));
    let drawn = false;
    const draw = (): void => {
      if (drawn) return;
      drawn = true;
      details.append(keyTimeline(k, report.timeUnit));
    };
    details.addEventListener('toggle', () => {
      if (details.open) draw();
    });
    if (i === 0 || report.keys.length <= 3) {
      details.open = true;
      draw();
    }
    root.append(details);
  });
  return root;
}

function fmtTime(t: number, unit: 'µs' | ''): string {
  return unit === 'µs' ? `${(t / 1000).toFixed(3)} ms` : String(t);
}

/** Where to draw each linearization point: in order, inside its operation's interval. */
function points(ops: readonly LinOperationView[], end: number): Map<number, number> {
  const ordered = ops.filter((o) => o.order !== undefined).sort((a, b) => a.order! - b.order!);
  const at = new Map<number, number>();
  let last = Number.NEGATIVE_INFINITY;
  for (const o of ordered) {
    const hi = o.return ?? end;
    const p = Math.min(hi, Math.max(o.call, last));
    at.set(o.index, p);
    last = p;
  }
  return at;
}

/** Where each client's row and each operation's lane is, top to bottom. */
interface Layout {
  readonly clients: readonly string[];
  readonly rowTop: ReadonlyMap<string, number>;
  /** By operation index: its lane within its client's row. */
  readonly lane: ReadonlyMap<number, number>;
  /** The bottom of the last row. */
  readonly bottom: number;
  /** The key's time: from the first call to just past the last answer. */
  readonly t0: number;
  readonly end: number;
}

/**
 * One row per client, in order (numbers as numbers). A client whose operation never returned may
 * issue more (a simulated client gives up and goes on): overlapping operations of one client get
 * lanes of their own within its row.
 */
function layout(ops: readonly LinOperationView[]): Layout {
  const clients = [...new Set(ops.map((o) => o.client))].sort((a, b) =>
    /^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0,
  );
  const end = Math.max(...ops.map((o) => o.return ?? o.call)) + 1;
  const lane = new Map<number, number>();
  const rowTop = new Map<string, number>();
  let bottom = TOP;
  for (const c of clients) {
    const ends: number[] = [];
    for (const o of ops.filter((x) => x.client === c).sort((a, b) => a.call - b.call || a.index - b.index)) {
      let l = ends.findIndex((e) => e < o.call);
      if (l < 0) l = ends.push(0) - 1;
      ends[l] = o.return ?? end;
      lane.set(o.index, l);
    }
    rowTop.set(c, bottom);
    bottom += Math.max(1, ends.length) * LANE + (ROW - LANE);
  }
  return { clients, rowTop, lane, bottom, t0: Math.min(...ops.map((o) => o.call)), end };
}

const yOf = (l: Layout, o: LinOperationView): number => l.rowTop.get(o.client)! + l.lane.get(o.index)! * LANE;

/** What the plot shows: the time window [w0, w1] at width W, with or without the linearization path. */
interface Window {
  readonly w0: number;
  readonly w1: number;
  readonly W: number;
  readonly showPath: boolean;
}

/** The key's operations in a time window, as an SVG: client names, time ticks, bars, and the path. */
function plot(k: LinKeyView, l: Layout, at: ReadonlyMap<number, number>, v: Window, unit: 'µs' | ''): SVGElement {
  const { w0, w1, W } = v;
  const ops = k.operations;
  const end = l.end;
  const x = (t: number): number => LEFT + ((t - w0) / (w1 - w0)) * (W - LEFT - 12);
  const H = l.bottom + 6;
  const root = svg('svg', { class: 'lin-axis', width: W, height: H, role: 'img', 'aria-label': `operations on ${k.key}` });
  for (const c of l.clients) root.append(svg('text', { class: 'client', x: 4, y: l.rowTop.get(c)! + 14 }, c.length > 8 ? `${c.slice(0, 7)}…` : c));
  // The plot is clipped to its area (a path or bar never runs over the client names).
  const clipId = `clip-${Math.random().toString(36).slice(2)}`;
  const defs = svg('defs', {});
  const clip = svg('clipPath', { id: clipId });
  clip.append(svg('rect', { x: LEFT - 2, y: 0, width: W - LEFT + 2, height: H }));
  defs.append(clip);
  root.append(defs);
  const area = svg('g', { 'clip-path': `url(#${clipId})` });
  root.append(area);
  // Ticks: five times across the window.
  for (let k = 0; k <= 4; k++) {
    const t = w0 + ((w1 - w0) * k) / 4;
    root.append(svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: 16, y2: H - 4 }));
    root.append(svg('text', { class: 'tick', x: Math.min(x(t) + 2, W - 70), y: 12 }, fmtTime(Math.round(t), unit)));
  }
  const visible = ops.filter((o) => (o.return ?? end) >= w0 && o.call <= w1);
  for (const o of visible) {
    const y = yOf(l, o);
    const a = Math.max(LEFT - 2, x(o.call));
    const b = Math.min(W, x(o.return ?? end));
    const cls = `op${o.illegal ? ' illegal' : ''}${o.return === null ? ' pending' : ''}${o.order === undefined && (k.linearized > 0 || k.result === 'illegal') ? ' unordered' : ''}`;
    const g = svg('g', { class: cls, 'data-index': o.index });
    g.append(svg('rect', { x: a, y, width: Math.max(2, b - a), height: 18, rx: 3 }));
    const label = o.text.replace(/^#\d+ \S+ /, '').replace(/ \[[^\]]*\]$/, '');
    if (b - a > label.length * 6 + 6) g.append(svg('text', { x: a + 3, y: y + 13 }, label));
    area.append(g);
  }
  if (v.showPath && at.size > 0) {
    const pts = ops
      .filter((o) => at.has(o.index) && at.get(o.index)! >= w0 - (w1 - w0) && at.get(o.index)! <= w1 + (w1 - w0))
      .sort((p, q) => p.order! - q.order!);
    if (pts.length > 1)
      area.append(svg('polyline', { class: 'lin-path', points: pts.map((o) => `${x(at.get(o.index)!).toFixed(1)},${yOf(l, o) + 9}`).join(' ') }));
    for (const o of pts) area.append(svg('circle', { class: 'lin-point', cx: x(at.get(o.index)!).toFixed(1), cy: yOf(l, o) + 9, r: 2.5 }));
  }
  return root;
}

/** The hover card of one operation: what it was, when, and where it stands in the linearization. */
function hoverCard(k: LinKeyView, o: LinOperationView, unit: 'µs' | ''): HTMLElement[] {
  return [
    el('div', { class: 'what' }, o.text.replace(/ \[[^\]]*\]$/, '')),
    el(
      'div',
      {},
      `client ${o.client} · called ${fmtTime(o.call, unit)} · ${o.return === null ? 'never answered' : `answered ${fmtTime(o.return, unit)}`}${o.line === undefined ? '' : ` · line ${o.line}`}`,
    ),
    el(
      'div',
      {},
      o.order !== undefined
        ? `number ${o.order} in the ${k.result === 'illegal' ? 'longest partial ' : ''}linearization found`
        : k.linearized > 0 || k.result === 'illegal'
          ? 'not in the linearization found'
          : '',
    ),
    ...(o.illegal ? [el('div', { class: 'bad' }, 'in the minimal set that cannot be ordered together (red)')] : []),
  ];
}

/** One key's operations by client along time, with zoom, pan and hover. */
export function keyTimeline(k: LinKeyView, unit: 'µs' | ''): HTMLElement {
  return new KeyTimeline(k, unit).box;
}

class KeyTimeline {
  readonly box = el('div', { class: 'lin-timeline' });
  private readonly ops: readonly LinOperationView[];
  private readonly l: Layout;
  private readonly at: Map<number, number>;
  private w0: number;
  private w1: number;
  private showPath = true;
  private readonly range = el('span', { class: 'range' });
  private readonly hover = el('div', { class: 'lin-hover', hidden: '' });
  private readonly area = el('div', { class: 'lin-area' });

  constructor(
    private readonly k: LinKeyView,
    private readonly unit: 'µs' | '',
  ) {
    this.ops = k.operations;
    this.l = layout(this.ops);
    this.at = points(this.ops, this.l.end);
    this.w0 = this.l.t0;
    this.w1 = this.l.end;
    this.box.append(this.tools(), this.area, this.hover);
    this.listen();
    // Drawn once attached (its width is the page's), and again when the page is resized.
    requestAnimationFrame(() => this.render());
    let lastWidth = 0;
    window.addEventListener('resize', () => {
      if (!this.box.isConnected || this.width() === lastWidth) return;
      lastWidth = this.width();
      this.render();
    });
    this.render();
  }

  /** The buttons above the plot: zoom, fit, show the red operations, the path on or off. */
  private tools(): HTMLElement {
    const tools = el('div', { class: 'lin-tools' });
    const zoomIn = el('button', { title: 'zoom in', 'data-action': 'zoom-in' }, '+');
    const zoomOut = el('button', { title: 'zoom out', 'data-action': 'zoom-out' }, '−');
    const fit = el('button', { title: 'the whole key', 'data-action': 'fit' }, 'fit');
    const toBad = el('button', { title: 'the operations that cannot be ordered together', 'data-action': 'illegal' }, 'show red');
    const pathBox = el('input', { type: 'checkbox', checked: '' });
    const pathLabel = el('label');
    pathLabel.append(pathBox, ' linearization path');
    tools.append(zoomOut, zoomIn, fit, ...(this.ops.some((o) => o.illegal) ? [toBad] : []), pathLabel, this.range);
    zoomIn.addEventListener('click', () => this.zoom(0.5));
    zoomOut.addEventListener('click', () => this.zoom(2));
    fit.addEventListener('click', () => {
      this.w0 = this.l.t0;
      this.w1 = this.l.end;
      this.render();
    });
    toBad.addEventListener('click', () => {
      const bad = this.ops.filter((o) => o.illegal);
      const lo = Math.min(...bad.map((o) => o.call));
      const hi = Math.max(...bad.map((o) => o.return ?? this.l.end));
      const pad = Math.max(1, (hi - lo) * 0.1);
      this.setWindow(lo - pad, Math.min(this.l.end - this.l.t0, hi - lo + 2 * pad));
    });
    pathBox.addEventListener('change', () => {
      this.showPath = pathBox.checked;
      this.render();
    });
    return tools;
  }

  private width(): number {
    return Math.max(480, Math.min(1400, (this.area.clientWidth || 900) - 4));
  }

  private render(): void {
    const { t0, end } = this.l;
    this.area.replaceChildren(plot(this.k, this.l, this.at, { w0: this.w0, w1: this.w1, W: this.width(), showPath: this.showPath }, this.unit));
    const u = this.unit;
    this.range.textContent = ` showing ${fmtTime(Math.round(this.w0), u)} – ${fmtTime(Math.round(this.w1), u)} of ${fmtTime(t0, u)} – ${fmtTime(end, u)}${u === '' ? ' (times as in the history: lines of a Jepsen file)' : ''}`;
    this.box.dataset['w0'] = String(this.w0);
    this.box.dataset['w1'] = String(this.w1);
  }

  /** Shows `span` time units from `from`, kept inside the key's time. */
  private setWindow(from: number, span: number): void {
    this.w0 = Math.max(this.l.t0, Math.min(from, this.l.end - span));
    this.w1 = Math.min(this.l.end, this.w0 + span);
    this.render();
  }

  private zoom(factor: number, around = (this.w0 + this.w1) / 2): void {
    const span = Math.min(this.l.end - this.l.t0, Math.max(2, (this.w1 - this.w0) * factor));
    const f = (around - this.w0) / (this.w1 - this.w0);
    this.setWindow(around - span * f, span);
  }

  /** The wheel zooms, a drag pans, a hover shows the operation, a click asks the host for its line. */
  private listen(): void {
    const { area, hover, box } = this;
    area.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = area.getBoundingClientRect();
        const t = this.w0 + ((e.clientX - rect.left - LEFT) / (this.width() - LEFT - 12)) * (this.w1 - this.w0);
        this.zoom(e.deltaY < 0 ? 0.8 : 1.25, Math.min(this.w1, Math.max(this.w0, t)));
      },
      { passive: false },
    );
    let drag: { x: number; w0: number; w1: number } | null = null;
    let moved = false;
    area.addEventListener('mousedown', (e) => {
      drag = { x: e.clientX, w0: this.w0, w1: this.w1 };
      moved = false;
    });
    // A click (not a drag) on an operation asks the host to show its line ("lin-reveal" bubbles up).
    area.addEventListener('click', (e) => {
      if (moved) return;
      const o = this.opAt(e.target);
      if (o?.line !== undefined) box.dispatchEvent(new CustomEvent('lin-reveal', { bubbles: true, detail: { line: o.line } }));
    });
    window.addEventListener('mouseup', () => {
      drag = null;
    });
    area.addEventListener('mousemove', (e) => {
      if (drag !== null && Math.abs(e.clientX - drag.x) > 3) moved = true;
      if (drag !== null && moved) {
        const dt = ((e.clientX - drag.x) / (this.width() - LEFT - 12)) * (drag.w1 - drag.w0);
        this.setWindow(drag.w0 - dt, drag.w1 - drag.w0);
        return;
      }
      const o = this.opAt(e.target);
      if (o === undefined) {
        hover.hidden = true;
        return;
      }
      hover.replaceChildren(...hoverCard(this.k, o, this.unit));
      const rect = box.getBoundingClientRect();
      hover.style.left = `${Math.min(e.clientX - rect.left + 12, rect.width - 280)}px`;
      hover.style.top = `${e.clientY - rect.top + 14}px`;
      hover.hidden = false;
    });
    area.addEventListener('mouseleave', () => {
      hover.hidden = true;
    });
  }

  /** The operation whose bar an event's target is in, if any. */
  private opAt(target: EventTarget | null): LinOperationView | undefined {
    const g = (target as Element).closest('g.op');
    return g === null ? undefined : this.ops.find((x) => String(x.index) === g.getAttribute('data-index'));
  }
}
