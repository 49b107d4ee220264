// The .raftsim language server, over any LSP connection (Node IPC on the desktop, a web worker on
// the web): documents are kept in sync, diagnosed on every change, and the features of features.ts
// answer requests. A failure inside a feature is logged and answered empty — the server never dies
// on any input.
import {
  CompletionItemKind,
  DiagnosticSeverity,
  MarkupKind,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type CompletionItem,
  type DocumentSymbol,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, complete, formatEdits, hover, symbols, type Completion } from './features';

const KINDS: Readonly<Record<Completion['kind'], CompletionItemKind>> = {
  keyword: CompletionItemKind.Keyword,
  node: CompletionItemKind.Variable,
  invariant: CompletionItemKind.Class,
  bug: CompletionItemKind.Constant,
  action: CompletionItemKind.Function,
  parameter: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
};

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const guard = <T>(what: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      connection.console.error(`liferaft language server: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [' ', '='] },
      hoverProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'liferaft-raftsim' },
  }));

  const validate = (doc: TextDocument): void => {
    const diagnostics = guard('diagnostics', [], () =>
      analyze(doc.getText(), doc.uri.split('/').pop() ?? doc.uri).diagnostics.map((d) => ({
        range: d.range,
        message: d.message,
        source: 'liferaft',
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      })),
    );
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };
  documents.onDidChangeContent((e) => validate(e.document));
  documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

  connection.onCompletion((p): CompletionItem[] => {
    const doc = documents.get(p.textDocument.uri);
    if (doc === undefined) return [];
    return guard('completion', [], () =>
      complete(doc.getText(), p.position.line, p.position.character).map((c) => ({
        label: c.label,
        kind: KINDS[c.kind],
        ...(c.detail === undefined ? {} : { detail: c.detail }),
        ...(c.documentation === undefined ? {} : { documentation: { kind: MarkupKind.Markdown, value: c.documentation } }),
      })),
    );
  });
  connection.onHover((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (doc === undefined) return null;
    return guard('hover', null, () => {
      const h = hover(doc.getText(), p.position.line, p.position.character);
      return h === null ? null : { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: h.range };
    });
  });
  connection.onDocumentSymbol((p): DocumentSymbol[] => {
    const doc = documents.get(p.textDocument.uri);
    if (doc === undefined) return [];
    return guard('symbols', [], () =>
      symbols(doc.getText()).map((s) => ({
        name: s.name,
        detail: s.detail,
        kind: s.kind === 'fault' ? SymbolKind.Event : SymbolKind.Property,
        range: s.range,
        selectionRange: s.range,
      })),
    );
  });
  connection.onDocumentFormatting((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (doc === undefined) return [];
    return guard('formatting', [], () => formatEdits(doc.getText()));
  });

  documents.listen(connection);
  connection.listen();
}
