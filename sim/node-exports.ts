// What every host does with a user's node module once it has its exports (the CLI, `liferaft dap`,
// the VS Code extension on the desktop and the web): pick the node among them and check its shape.
import type { RaftNode } from './node-api';

const REQUIRED = ['init', 'step', 'view', 'classify'] as const;

/** A node module's node: its export named `node`, else its default export (module.exports). */
export function nodeOfExports(exported: Record<string, unknown>, file: string): { readonly module: RaftNode; readonly name: string } {
  const m = pick(exported);
  const missing = REQUIRED.filter((k) => m === null || typeof m[k] !== 'function');
  if (m === null || missing.length > 0)
    throw new Error(
      `${file} is not a LifeRaft node: it exports no ${missing.join(', ')} (a node exports { init, step, view, classify }, as module.exports, its default export or an export named \`node\`; see examples/your-node/)`,
    );
  const rules = m.rules;
  if (rules !== undefined && (!Array.isArray(rules) || rules.some((r) => typeof r !== 'string' || r === '') || new Set(rules).size !== rules.length))
    throw new Error(`${file}'s \`rules\` must be a list of distinct rule names (strings), not ${JSON.stringify(rules)?.slice(0, 80)}`);
  const base = file.split(/[/\\]/).pop() ?? file;
  return { module: m as unknown as RaftNode, name: typeof m.name === 'string' && m.name !== '' ? m.name : base };
}

function pick(exported: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (exported === null || typeof exported !== 'object') return null;
  const candidates = [exported.node, (exported.default as Record<string, unknown> | undefined)?.node, exported.default, exported];
  for (const c of candidates)
    if (c !== null && typeof c === 'object' && typeof (c as Record<string, unknown>).step === 'function') return c as Record<string, unknown>;
  const d = exported.default ?? exported;
  return d !== null && typeof d === 'object' ? (d as Record<string, unknown>) : null;
}

/** Whether a .js file's text is an ES module (import or export at the start of a line). */
export function isModuleSyntax(code: string): boolean {
  return /^\s*(import\s*[\w{*'"]|export\s)/m.test(code);
}

/** Whether a file is TypeScript, by its name. */
export function isTypeScript(file: string): boolean {
  return /\.[mc]?ts$/.test(file);
}

/** A scenario's text with a `node PATH` line: the one it has replaced, else one after its leading comments. */
export function withNodeLine(text: string, path: string): string {
  const line = `node ${path}`;
  if (/^node .*$/m.test(text)) return text.replace(/^node .*$/m, line);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => !l.startsWith('#'));
  lines.splice(at < 0 ? lines.length : at, 0, line);
  return lines.join('\n');
}
