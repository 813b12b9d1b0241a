#!/usr/bin/env node
// @ts-check
// Runs the test suite: the lint (ESLint, with the layering rule of eslint.config.mjs) and the format check
// (Prettier, .prettierrc.json), then every compiled test file
// under dist/test with Node's test runner, after printing which TensorFlow engine is in use. `npm test` runs the
// set-up first (a no-op when nothing changed).
//   node scripts/test.mjs                the lint, the format check and every test
//   node scripts/test.mjs [area ...]     only test/<area>/ (e.g. engine data models), without the lint
//   node scripts/test.mjs --lint-only    only the lint and the format check
// LESSONKIT_FULL_TESTS=1 enables the slow full-size cases.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { lessonDataDir, ROOT } from './paths.mjs';

const TEST_ROOT = path.join(ROOT, 'dist', 'test');
const { values: flags, positionals: areas } = parseArgs({
  options: { 'lint-only': { type: 'boolean' } },
  allowPositionals: true,
});

if (areas.length === 0) {
  const eslint = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  console.log('# lint: eslint .');
  const lint = spawnSync(process.execPath, [eslint, '.'], { cwd: ROOT, stdio: 'inherit' });
  if (lint.status !== 0) process.exit(lint.status ?? 1);
  const prettier = path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  console.log('# format: prettier --check . (npm run format fixes it)');
  const format = spawnSync(process.execPath, [prettier, '--check', '--log-level', 'warn', '.'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (format.status !== 0) process.exit(format.status ?? 1);
}
if (flags['lint-only']) process.exit(0);

/**
 * @param {string} dir
 * @returns {string[]}
 */
function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

const roots = areas.length ? areas.map((a) => path.join(TEST_ROOT, a)) : [TEST_ROOT];
const files = roots.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error(
    `No test files found under ${roots.map((r) => path.relative(ROOT, r)).join(', ')}; run \`npm run build\` first.`,
  );
  process.exit(1);
}

const engine = spawnSync(
  process.execPath,
  ['-e', "const e=require('./dist/src/engine');console.log(e.describeEngine(e.ensureEngine()))"],
  { cwd: ROOT, encoding: 'utf8' },
);
if (engine.status !== 0) {
  console.error(engine.stderr);
  process.exit(1);
}
console.log(`# engine in use: ${engine.stdout.trim()}`);
console.log(`# ${files.length} test files`);

const env = { ...process.env };
const dataDir = lessonDataDir();
if (dataDir) env.LESSONKIT_DATA_DIR = dataDir;
const r = spawnSync(process.execPath, ['--test', ...files], { cwd: ROOT, stdio: 'inherit', env });
process.exit(r.status ?? 1);
