// @ts-check
// ESLint: the layering of src/ as an import-boundary rule, plus a few correctness rules. Run by `npm test`
// (scripts/test.mjs) and `npm run lint`. test/lint/boundaries.test.ts checks that the rule rejects a wrong-way import.
//
// Layers, bottom up (a folder may import its own layer and the ones below, never above):
//   0  errors, io, engine, runtime
//   1  data, display
//   2  models, viz          (peers that do not import each other)
//   3  train
//   4  lessons, selftest    (lessons: the lesson material on top of the library; selftest: a child-process entry
//                           point that nothing imports; the two do not import each other)
// and nothing in src/ imports kernel/ (the kernel installs a display sink on globalThis instead). The root
// (src/index.ts) is the library's face: it does not import lessons/ (`lessonkit/lessons` is its own entry point).
//
// A second rule: an import that crosses into another folder of src/ goes through that folder's index.ts
// (`../display`, not `../display/adapters/dataframe`), so each area's index.ts is the whole of what the others
// see. The one internal entry point besides the indexes is engine/graph (the graph path, exported by no index);
// selftest, the self-test's workload, reaches the fused ops it runs directly.
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
  lessons: 4,
  selftest: 4,
};

/** Areas a folder must not import besides the higher layers: peers kept apart. */
const PEERS_APART = { models: ['viz'], viz: ['models'], lessons: ['selftest'], selftest: ['lessons'] };

/** Folders below an area that others may import directly: internal entry points that no index exports. */
const INTERNAL_ENTRIES = { engine: ['graph'] };

/** Areas whose files may import other areas' files directly (the self-test runs internal ops by name). */
const DEEP_IMPORTS_ALLOWED = ['selftest'];

/**
 * @param {string} area
 * @returns {string} a regular expression for a relative import that reaches past another area's index.ts
 */
function pastIndex(area) {
  const others = Object.keys(LAYERS).filter((a) => a !== area);
  const targets = others.map((a) => {
    const entries = INTERNAL_ENTRIES[/** @type {keyof typeof INTERNAL_ENTRIES} */ (a)] ?? [];
    return entries.length ? `${a}/(?!(${entries.join('|')})$)` : `${a}/`;
  });
  return `^(\\.\\./)+(${targets.join('|')}).+`;
}

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
  if (!DEEP_IMPORTS_ALLOWED.includes(area)) {
    patterns.push({
      regex: pastIndex(area),
      message: `src/${area} imports another folder of src/ through its index.ts (e.g. '../display', not '../display/adapters/x'); export the name there (see eslint.config.mjs).`,
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
  {
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: reaching(['lessons', 'selftest', 'kernel']),
              message:
                'The root is the library: the lesson material is `lessonkit/lessons`, its own entry point (see eslint.config.mjs).',
            },
            {
              regex: '^\\./[a-z-]+/.+',
              message: 'The root re-exports each area through its index.ts.',
            },
          ],
        },
      ],
    },
  },
);
