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

test('an import past the index.ts of another folder is rejected; the same folder, or through the index, passes', async () => {
  const errors = await boundaryErrors('past-index-import.ts', 'src/train/past-index-import.ts');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /through its index\.ts/);
  assert.deepEqual(await boundaryErrors('past-index-import.ts', 'src/display/past-index-import.ts'), []);
  assert.deepEqual(await boundaryErrors('wrong-way-import.ts', 'src/lessons/x.ts'), []);
});

test('the graph path is the one internal entry point: engine/graph passes, a file inside it does not', async () => {
  const lint = async (code: string, asFile: string) => {
    const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, asFile) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  };
  assert.equal((await lint("export { graphForward } from '../engine/graph';\n", 'src/train/x.ts')).length, 0);
  assert.equal(
    (await lint("export { isRecordingGraph } from '../engine/graph/recorder';\n", 'src/train/x.ts')).length,
    1,
  );
  assert.equal(
    (await lint("export { graphForward } from '../../engine/graph';\n", 'src/models/transfer/x.ts')).length,
    0,
  );
});

test('the library and the root do not import the lessons layer', async () => {
  for (const asFile of ['src/train/x.ts', 'src/viz/x.ts', 'src/models/resnet/x.ts', 'src/index.ts']) {
    const errors = await boundaryErrors('lessons-import.ts', asFile);
    assert.ok(errors.length >= 1, asFile);
    assert.ok(
      errors.every((m) => /lessons/.test(m)),
      `${asFile}: ${errors.join('; ')}`,
    );
  }
  assert.deepEqual(await boundaryErrors('lessons-import.ts', 'src/lessons/diagrams/x.ts'), []);
});
