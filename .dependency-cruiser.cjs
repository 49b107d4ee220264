// Layering of DESIGN.md: each layer imports only from the layers listed before it.
// Test code is exempt: *.test.ts, the cases they run (*.cases.ts) and their helpers (*.fixture.ts);
// test/ may import anything.
const test = '\\.(test|cases|fixture)\\.ts$';
const layer = (name, mayImport, comment) => ({
  name: `layer-${name}`,
  comment,
  severity: 'error',
  from: { path: `^${name}/`, pathNot: test },
  to: {
    path: '^(core|sim|debug-adapter|language-server|extension|media|net|cli|test)/',
    pathNot: `^(${[name, ...mayImport].join('|')})/`,
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-test-code-in-product',
      comment: "what ships never imports test code (cases, helpers, the core's test harness)",
      severity: 'error',
      from: { pathNot: [test, '^test/'] },
      to: { path: [test, '^core/testing/'] },
    },
    {
      name: 'core-is-pure',
      comment: 'core/ imports nothing outside core/: no packages, no Node modules, no other layer',
      severity: 'error',
      from: { path: '^core/', pathNot: test },
      to: { pathNot: '^core/' },
    },
    layer('sim', ['core'], 'sim/ may import core/ (and seedrandom)'),
    layer('debug-adapter', ['core', 'sim'], 'debug-adapter/ may import sim/ and core/'),
    layer('language-server', ['core', 'sim'], 'language-server/ may import sim/ (parser) and core/ types'),
    layer('extension', ['core', 'sim', 'debug-adapter', 'language-server', 'media'], 'extension/ may import every layer above it'),
    layer('net', ['core', 'sim'], 'net/ may import core/ and sim/ (shared types)'),
    layer('cli', ['core', 'sim', 'debug-adapter', 'net'], 'cli/ may import core/, sim/, debug-adapter/, net/'),
    {
      name: 'no-circular',
      comment: 'no import cycles anywhere: a module and what it imports can be read bottom-up',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-through-index',
      comment: 'other layers use core/ through its public API, core/index.ts (tests may reach inside)',
      severity: 'error',
      from: { pathNot: ['^core/', test, '^test/'] },
      to: { path: '^core/', pathNot: '^core/index\\.ts$' },
    },
    {
      name: 'sim-through-index',
      comment: 'other layers use sim/ through its public API, sim/index.ts (tests may reach inside)',
      severity: 'error',
      from: { pathNot: ['^sim/', test, '^test/'] },
      to: { path: '^sim/', pathNot: '^sim/index\\.ts$' },
    },
    {
      name: 'platform-neutral',
      comment: 'core/, sim/ and debug-adapter/ also run in a browser web worker: no Node built-in modules',
      severity: 'error',
      from: { path: '^(core|sim|debug-adapter)/', pathNot: test },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'vscode-only-in-extension',
      comment: 'only extension/ (and tests) may import the vscode API',
      severity: 'error',
      from: { pathNot: '^(extension|test)/' },
      to: { path: '^vscode$' },
    },
    {
      name: 'layer-media',
      comment: 'media/ (webview code) talks to extension/ only through typed messages: extension/messages.ts',
      severity: 'error',
      from: { path: '^media/', pathNot: test },
      to: {
        path: '^(core|sim|debug-adapter|language-server|extension|net|cli|test)/',
        pathNot: '^extension/messages\\.ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
