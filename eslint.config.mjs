// ESLint: general TypeScript hygiene, plus the determinism rules of DESIGN.md for core/ and sim/:
// only seeded randomness and virtual time there — no wall clock, timers, global randomness or host APIs.
// (Which layer may import what is checked by dependency-cruiser: .dependency-cruiser.cjs.)
import tseslint from 'typescript-eslint';

const why = 'core/ and sim/ must be deterministic and platform-neutral (DESIGN.md, determinism rules): use the seeded stream and virtual time';
const forbiddenGlobals = [
  'Date',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'performance',
  'crypto',
  'process',
  'Buffer',
  'require',
  'window',
  'self',
  'navigator',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', '.stryker-tmp/**', '.liferaft/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['core/**/*.ts', 'sim/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...forbiddenGlobals.map((name) => ({ name, message: why }))],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: why },
        ...forbiddenGlobals.map((property) => ({ object: 'globalThis', property, message: why })),
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
