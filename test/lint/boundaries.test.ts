/**
 * The layering of src/ is enforced by ESLint (eslint.config.mjs): these tests lint deliberate wrong-way imports
 * (test/lint/fixtures/) as if they stood in src/, and check that the rule rejects them and lets the right way pass.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'lint', 'fixtures');

/** The boundary-rule messages for `fixture` linted as the file `asFile` (repository-relative). */
async function boundaryErrors(fixture: string, asFile: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const code = fs.readFileSync(path.join(FIXTURES, fixture), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, asFile) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('viz importing train is rejected', async () => {
  const errors = await boundaryErrors('wrong-way-import.ts', 'src/viz/wrong-way-import.ts');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /src\/viz is layer 2; it must not import .*train/);
});

test('the same import from train itself passes', async () => {
  assert.deepEqual(await boundaryErrors('wrong-way-import.ts', 'src/train/wrong-way-import.ts'), []);
});

test('a lower layer importing a higher one is rejected (io -> train, data -> models)', async () => {
  assert.equal((await boundaryErrors('wrong-way-import.ts', 'src/io/wrong-way-import.ts')).length, 1);
  assert.equal((await boundaryErrors('wrong-way-import.ts', 'src/models/resnet/x.ts')).length, 1);
});

test('src importing the kernel is rejected', async () => {
  const errors = await boundaryErrors('kernel-import.ts', 'src/display/kernel-import.ts');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /never imports the kernel/);
});

test('the ESLint command fails on the fixture placed in src/viz', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const code = fs.readFileSync(path.join(FIXTURES, 'wrong-way-import.ts'), 'utf8');
  const results = await eslint.lintText(code, { filePath: path.join(ROOT, 'src', 'viz', 'wrong-way-import.ts') });
  assert.ok(ESLint.getErrorResults(results).length > 0);
});
