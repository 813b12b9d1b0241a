/**
 * The prose-number rule (scripts/notebook/regress/prose-numbers.mjs) on the lessons as they are, and on copies with
 * planted stale numbers; and the solutions rule: every exercise has a worked solution cell, tagged `solution`,
 * collapsed, with the result to expect. Both read the notebooks' sources only, so they need no kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tools, type Notebook } from './tools';

const prose = () => import('../../scripts/notebook/regress/prose-numbers.mjs');

async function lesson(name: string): Promise<Notebook> {
  const { listNotebooks, readNotebook } = await tools.notebookFile();
  const [file] = listNotebooks([name]);
  return readNotebook(file);
}

/** A copy of `nb` whose markdown cell `id` has `from` replaced by `to`. */
function planted(nb: Notebook, id: string, from: string | RegExp, to: string): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  const cell = copy.cells.find((c) => c.id === id)!;
  const source = [cell.source].flat().join('');
  const changed = source.replace(from, to);
  assert.notEqual(changed, source, `the planted text must change cell ${id}`);
  cell.source = changed;
  return copy;
}

test('every number in the lessons’ prose is a fixed fact, a value of the profile it names, or a label', async () => {
  const { listNotebooks, notebookName, readNotebook } = await tools.notebookFile();
  const { proseNumberProblems } = await prose();
  const { formatProblems } = await tools.compare();
  for (const file of listNotebooks([])) {
    const problems = proseNumberProblems(notebookName(file), readNotebook(file));
    assert.equal(problems.length, 0, formatProblems(problems));
  }
});

test('a planted stale number fails, naming the notebook, the cell and the sentence', async () => {
  const { proseNumberProblems } = await prose();
  const name = '02-transfer-learning-cifar10';
  const nb = await lesson(name);
  assert.deepEqual(proseNumberProblems(name, nb), []);

  // The stale range of issue 22: the `ci` profile reads test images 0000-0099, not 0000-0049.
  const range = proseNumberProblems(
    name,
    planted(nb, 'c04', /test images \(테스트용 데이터셋\)\n0000-0099/, 'test images (테스트용 데이터셋)\n0000-0049'),
  );
  assert.equal(range.length, 1, JSON.stringify(range));
  assert.match(range[0].where, /^02-transfer-learning-cifar10, markdown cell \d+ \(id c04\), line \d+$/);
  assert.match(
    range[0].lines[0],
    /the number 0000-0049 is neither a fixed fact .* nor a value of the profile its sentence names \((?:ci, full|full, ci)\)/,
  );

  // A measured result written into prose (it names no profile, and is no fact).
  const result = proseNumberProblems(name, planted(nb, 'c24', 'Keep the', 'The frozen head reached 43.0%. Keep the'));
  assert.equal(result.length, 1, JSON.stringify(result));
  assert.match(result[0].lines[0], /the number 43\.0% .* \(it names none\)/);
  assert.match(result[0].lines[1], /The frozen head reached 43\.0%\./);

  // A profile value that is no longer the profile's: `ci` trains the head for 30 epochs, not 40.
  const epochs = proseNumberProblems(
    name,
    planted(nb, 'c13', 'so it trains for 30 epochs', 'so it trains for 40 epochs'),
  );
  assert.equal(epochs.length, 1, JSON.stringify(epochs));
  assert.match(epochs[0].lines[0], /the number 40 /);

  // The old noise claim of issue 22: "about 2 points at n = 500" (n is 1,000, and 2 points is a run's number).
  const noise = proseNumberProblems(
    name,
    planted(nb, 'c20', 'each sentence under the table', 'about 2 points at n = 500; each sentence under the table'),
  );
  assert.deepEqual(
    noise.map((p) => /the number (\S+)/.exec(p.lines[0])?.[1]),
    ['2', '500'],
  );
});

test('labels, code and maths are not prose numbers; profile values count only where the sentence names the profile', async () => {
  const { proseNumbers, valueOf, proseNumberProblems } = await prose();
  const written = (md: string) => proseNumbers(md).map((n) => n.written);
  assert.deepEqual(
    written(
      '## 6.1 Seattle\n\n1. the concepts, see section 4 and exercise 2; $h_{t-1}$, x(t-1), `Resize(256)`, ResNet-50',
    ),
    [],
  );
  assert.deepEqual(written('0.9¹⁰ = 0.349, about 1.2 × 10⁻³⁸, 49.25%, 60,000, 32x32, 0000-0099'), [
    '0.9¹⁰',
    '0.349',
    '1.2 × 10⁻³⁸',
    '49.25%',
    '60,000',
    '32x32',
    '0000-0099',
  ]);
  assert.ok(Math.abs(valueOf('0.9¹⁰')! - 0.9 ** 10) < 1e-12);
  assert.equal(valueOf('49.25%'), 0.4925);
  assert.equal(valueOf('1,000'), 1000);
  assert.equal(valueOf('32x32'), 32);

  const nb = (md: string) =>
    ({ cells: [{ cell_type: 'markdown', id: 'm', source: md, metadata: {} }] }) as unknown as Notebook;
  const facts = { shared: {}, notebooks: {} };
  const profiles = { ci: { headEpochs: 30, batchSize: 64 }, full: { headEpochs: 5, batchSize: 128 } };
  const check = (md: string) => proseNumberProblems('x', nb(md), { facts, profiles }).length;
  assert.equal(check('The `ci` profile trains the head for 30 epochs.'), 0);
  assert.equal(check('The `full` profile trains the head for 30 epochs.'), 1, 'a value of the other profile');
  assert.equal(check('The head trains for 30 epochs.'), 1, 'names no profile');
  assert.equal(check('The head trains for `headEpochs` (30 or 5).'), 0, 'a field in backticks names it in both');
});

test('the allow-list gives every fact a reason', async () => {
  const { readProseFacts } = await prose();
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const facts = readProseFacts();
  assert.ok(Object.keys(facts.notebooks ?? {}).length >= 3);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'prose-facts-')), 'facts.json');
  fs.writeFileSync(file, JSON.stringify({ shared: { '49.25%': '' } }));
  assert.throws(() => readProseFacts(file), /"49\.25%" needs its reason/);
});

test('every exercise has a collapsed worked solution with its expected result', async () => {
  const { listNotebooks, notebookName, readNotebook, cellTags, cellSource } = await tools.notebookFile();
  for (const file of listNotebooks([])) {
    const nb = readNotebook(file);
    const exercises = nb.cells
      .filter((c) => c.cell_type === 'markdown')
      .map((c) => cellSource(c))
      .map((s) => s.split(/^## Exercises\s*$/m)[1])
      .filter((s): s is string => s !== undefined)
      .flatMap((s) => s.match(/^\d+\. /gm) ?? []);
    const solutions = nb.cells.filter((c) => cellTags(c).includes('solution'));
    assert.equal(
      solutions.length,
      exercises.length,
      `${notebookName(file)}: ${exercises.length} exercises, ${solutions.length} solutions`,
    );
    solutions.forEach((c, i) => {
      const source = cellSource(c);
      assert.equal(
        c.cell_type,
        'code',
        `${notebookName(file)}: solution ${i + 1} is a code cell (the regression runs it)`,
      );
      assert.match(
        source,
        new RegExp(`^// Solution to exercise ${i + 1}\\b`),
        `${notebookName(file)}: solution ${i + 1} says which exercise`,
      );
      assert.match(source, /expected/i, `${notebookName(file)}: solution ${i + 1} says what to expect`);
      const meta = c.metadata as { jupyter?: { source_hidden?: boolean }; collapsed?: boolean };
      assert.equal(meta.jupyter?.source_hidden, true, `${notebookName(file)}: solution ${i + 1} is collapsed`);
    });
  }
});
