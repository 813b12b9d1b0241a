// @ts-check
// ESLint: the layering of src/ as an import-boundary rule, plus a few correctness rules. Run by `npm test`
// (scripts/test.mjs) and `npm run lint`. test/lint/boundaries.test.ts checks that the rule rejects a wrong-way import.
//
// Layers, bottom up (a folder may import its own layer and the ones below, never above):
//   0  errors, io, engine, runtime
//   1  data, display
//   2  models, viz          (peers that do not import each other)
//   3  train, profiles
//   4  selftest             (a child-process entry point; nothing imports it)
// and nothing in src/ imports kernel/ (the kernel installs a display sink on globalThis instead).
import tseslint from 'typescript-eslint';

/** The areas of src/ and the layer of each. */
export const LAYERS = {
  errors: 0,
  io: 0,
  engine: 0,
  runtime: 0,
  data: 1,
  display: 1,
  models: 2,
  viz: 2,
  train: 3,
  export: 3,
  profiles: 3,
  selftest: 4,
};

/** Areas a folder must not import besides the higher layers: peers kept apart. */
const PEERS_APART = { models: ['viz'], viz: ['models'] };

/** @param {string[]} areas a regular expression for an import path that reaches one of `areas` (or the kernel) */
const reaching = (areas) => `(^|/)(${areas.join('|')})(\\.ts)?(/|$)`;

/** @param {string} area */
function boundaryFor(area) {
  const layer = LAYERS[/** @type {keyof typeof LAYERS} */ (area)];
  const above = Object.entries(LAYERS)
    .filter(
      ([name, l]) => l > layer || (PEERS_APART[/** @type {keyof typeof PEERS_APART} */ (area)] ?? []).includes(name),
    )
    .map(([name]) => name);
  const patterns = [
    {
      regex: reaching(['kernel']),
      message:
        'src/ never imports the kernel: the kernel installs its display sink on globalThis (src/display/bridge.ts).',
    },
  ];
  if (above.length) {
    patterns.push({
      regex: reaching(above),
      message: `src/${area} is layer ${layer}; it must not import ${above.join(', ')} (see eslint.config.mjs and docs/ARCHITECTURE.md).`,
    });
  }
  return {
    files: [`src/${area}/**/*.ts`, `src/${area}.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'build/**',
      'node_modules/**',
      '.venv/**',
      '.deps/**',
      'handouts/**',
      'test-artifacts/**',
      'classroom/**',
      'python/**',
      'test/lint/fixtures/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The library and the kernel: no `any`. (`require()` stays allowed: native and optional packages load lazily,
    // so that importing lessonkit loads nothing.)
    files: ['src/**/*.ts', 'kernel/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  ...Object.keys(LAYERS).map(boundaryFor),
);
