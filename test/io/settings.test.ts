/**
 * One prefix: every setting is `LESSONKIT_*`, listed once in src/io/settings.json and in docs/settings.md's table;
 * old names still work with a one-line notice once per process; no code reads a kit setting but through the table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SETTINGS, setting } from '../../src/io';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const settingsModule = path.join(ROOT, 'dist', 'src', 'io', 'settings.js');

test('every setting is named LESSONKIT_*, once, with its old names unique', () => {
  const names = SETTINGS.map((s) => s.name);
  assert.deepEqual(
    names.filter((n) => !n.startsWith('LESSONKIT_')),
    [],
  );
  assert.equal(new Set(names).size, names.length);
  const old = SETTINGS.flatMap((s) => s.old);
  assert.equal(new Set(old).size, old.length);
  assert.deepEqual(
    old.filter((o) => names.includes(o)),
    [],
  );
});

test("docs/settings.md's table lists exactly the settings, with their old names", () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'settings.md'), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| `LESSONKIT_/.test(l));
  const documented = rows.map((r) => /^\| `(LESSONKIT_[A-Z0-9_]+)`/.exec(r)?.[1]);
  assert.deepEqual(
    documented,
    SETTINGS.map((s) => s.name),
  );
  for (const [i, s] of SETTINGS.entries()) {
    for (const o of s.old) assert.ok(rows[i].includes(`\`${o}\``), `${s.name}'s row names its old name ${o}`);
  }
});

test('the new name wins; an old name works with one notice per process, and is passed on under the new name', () => {
  const script = [
    `const s = require(${JSON.stringify(settingsModule)});`,
    "const a = s.setting('LESSONKIT_PROFILE'); const b = s.setting('LESSONKIT_PROFILE');",
    "const c = s.setting('LESSONKIT_DEVICE');",
    'console.log(JSON.stringify({ a, b, c, passed: process.env.LESSONKIT_PROFILE }));',
  ].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, LESSON_PROFILE: 'full', TFJS_DEVICE: 'cpu' };
  delete env.LESSONKIT_PROFILE;
  delete env.LESSONKIT_DEVICE;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { a: 'full', b: 'full', c: 'cpu', passed: 'full' });
  const notices = r.stderr.trim().split('\n');
  assert.deepEqual(notices, [
    'lessonkit: LESSON_PROFILE is deprecated; use LESSONKIT_PROFILE (see docs/settings.md)',
    'lessonkit: TFJS_DEVICE is deprecated; use LESSONKIT_DEVICE (see docs/settings.md)',
  ]);
  // Both set: the new name, and no notice.
  const both = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...env, LESSONKIT_PROFILE: 'ci', LESSONKIT_DEVICE: 'auto' },
  });
  assert.equal(JSON.parse(both.stdout).a, 'ci');
  assert.equal(both.stderr, '');
});

test('an explicit environment is read without touching process.env; empty counts as unset', () => {
  assert.equal(setting('LESSONKIT_DATA_DIR', { LESSONKIT_DATA_DIR: '' }), undefined);
  assert.equal(setting('LESSONKIT_CACHE', { LESSONKIT_CACHE: '/c' }), '/c');
  assert.throws(() => setting('LESSONKIT_NO_SUCH'), /not a lessonkit setting/);
});

/** Files whose code may name settings directly: the table's readers, and the tests that set them for a child. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : sourceFiles(p);
    return /\.(ts|mjs|py)$/.test(e.name) ? [p] : [];
  });
}

test('no code reads an old name, or a LESSONKIT_ name the table does not list', () => {
  const known = new Set(SETTINGS.map((s) => s.name));
  const oldNames = SETTINGS.flatMap((s) => s.old).filter((o) => /^(LESSON_|TFJS_|LESSONKIT_)/.test(o));
  const problems: string[] = [];
  for (const area of ['src', 'kernel', 'scripts', 'python', 'test', 'bench']) {
    for (const file of sourceFiles(path.join(ROOT, area))) {
      const rel = path.relative(ROOT, file);
      if (rel === path.join('test', 'io', 'settings.test.ts')) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(LESSON_[A-Z_]+|TFJS_[A-Z_]+|LESSONKIT_[A-Z0-9_]+)\b/g)) {
        if (oldNames.includes(m[1])) problems.push(`${rel}: old name ${m[1]}`);
        else if (m[1].startsWith('LESSONKIT_') && !known.has(m[1])) problems.push(`${rel}: unlisted ${m[1]}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
