/**
 * A handout reads like a lesson (issue 22): the `lessonkit` nbconvert template, through the handout exporter, leaves
 * out the cells tagged `hide-handout` (the runner's injected parameters cell among them) and folds the cells tagged
 * `solution` into one collapsed <details> per answer; `handoutProblems` finds plumbing text, a repeated engine
 * explanation, caption tables under image grids and a self-numbered contents list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tools, type Notebook } from './tools';

type Cell = Notebook['cells'][number];

const md = (source: string, tags: string[] = []): Cell =>
  ({ cell_type: 'markdown', metadata: { tags }, source }) as Cell;
const code = (source: string, tags: string[] = [], stdout?: string): Cell =>
  ({
    cell_type: 'code',
    metadata: { tags },
    source,
    execution_count: 1,
    outputs: stdout === undefined ? [] : [{ output_type: 'stream', name: 'stdout', text: stdout }],
  }) as Cell;

const ENGINE =
  'tensorflow backend (TF 2.21.0, cpu) via @tensorflow/tfjs-node; LESSONKIT_DEVICE=auto: no GPU package built; ' +
  'oneDNN OFF: its self-test crashed with SIGFPE on this CPU (AMD EPYC), so TensorFlow runs its Eigen kernels (cached self-test; LESSONKIT_ONEDNN=on forces it)';

function lesson(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { title: 'Transfer learning with MNIST' },
    cells: [
      md('# 2. Transfer learning (전이학습) with MNIST'),
      code("const PROFILE: string = 'ci';", ['parameters']),
      md('## 1. The data'),
      code("console.log('the lesson cell')", [], 'the lesson cell\n'),
      code('tf.dispose([peek]); // plumbing', ['hide-handout'], 'PLUMBING-OUTPUT\n'),
      md('### Exercise 1'),
      md('**Worked answer.** Compare the two runs.', ['solution']),
      code("console.log('answer one')", ['solution'], 'answer one\n'),
      code('cleanup()', ['hide-handout']),
      code("console.log('answer one, part two')", ['solution'], 'answer one, part two\n'),
      md('### Exercise 2'),
      code("console.log('answer two')", ['solution'], 'answer two\n'),
      md('## 2. Next section'),
    ],
  } as unknown as Notebook;
}

/** The notebook as the runner executes it: its injected cell (tagged by injectParameters) and the run line. */
async function executedLesson(): Promise<Notebook> {
  const { injectParameters, INJECTED_TAG } = await import('../../scripts/notebook/parameters.mjs');
  const { notebook } = injectParameters(lesson(), { PROFILE: 'ci' });
  for (const cell of notebook.cells) {
    if ((cell.metadata?.tags as string[] | undefined)?.includes(INJECTED_TAG)) {
      cell.outputs = [{ output_type: 'stream', name: 'stdout', text: `lessonkit run: profile ci; ${ENGINE}\n` }];
    }
  }
  return notebook;
}

test('the injected parameters cell is tagged hide-handout as well as injected-parameters', async () => {
  const { injectParameters } = await import('../../scripts/notebook/parameters.mjs');
  const { notebook } = injectParameters(lesson(), { PROFILE: 'ci' });
  const injected = notebook.cells[2];
  assert.match(String(injected.source), /^\/\/ Injected by scripts\/lessons\.mjs/);
  assert.deepEqual(injected.metadata?.tags, ['injected-parameters', 'hide-handout']);
});

test('the lessonkit template drops hide-handout cells and folds each run of solution cells into one <details>', async (t) => {
  const { exportHtml } = await tools.handout();
  let html: string;
  try {
    html = await exportHtml(await executedLesson());
  } catch (err) {
    if (/could not start jupyter|not installed/.test((err as Error).message))
      return t.skip(`SKIPPED: ${(err as Error).message}`);
    throw err;
  }
  assert.ok(html.includes('the lesson cell'), 'an ordinary cell stays');
  for (const plumbing of ['Injected by scripts/lessons.mjs', 'lessonkit run:', 'PLUMBING-OUTPUT', 'cleanup()']) {
    assert.ok(!html.includes(plumbing), `"${plumbing}" is left out`);
  }
  const details = [...html.matchAll(/<details class="lessonkit-solution">([\s\S]*?)<\/details>/g)].map((m) => m[1]);
  assert.equal(details.length, 2, 'one <details> per answer: exercise 1 (three cells around a hidden one), exercise 2');
  assert.match(details[0], /<summary>Solution/);
  assert.ok(
    details[0].includes('Worked answer') &&
      details[0].includes('answer one') &&
      details[0].includes('answer one, part two'),
    'the first answer holds its explanation and both code cells',
  );
  assert.ok(details[1].includes('answer two') && !details[1].includes('answer one'));
  assert.ok(!/<details class="lessonkit-solution" open/.test(html), 'solutions start collapsed');
  assert.ok(html.indexOf('Exercise 2') < html.indexOf(details[1]), 'a solution stays where its cells are');
});

test('the finished handout: one short engine line, the long one collapsed once, contents without extra numbers', async (t) => {
  const { exportHandout } = await tools.handout();
  const { handoutProblems } = await tools.handoutHtml();
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-handout-'));
  const output = path.join(dir, 'lesson.html');
  try {
    await exportHandout(await executedLesson(), { output, name: 'lesson' });
  } catch (err) {
    if (/could not start jupyter|not installed/.test((err as Error).message))
      return t.skip(`SKIPPED: ${(err as Error).message}`);
    throw err;
  }
  const html = fs.readFileSync(output, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
  assert.match(header, /engine <code>tensorflow backend \(TF 2\.21\.0, cpu\), oneDNN off<\/code>/);
  assert.match(header, /<details class="lessonkit-engine"><summary>About the engine<\/summary><p>[^<]*SIGFPE/);
  assert.equal(html.split('SIGFPE').length - 1, 1, 'the oneDNN explanation is in the page once');
  assert.ok(!header.includes('<ol'), 'the contents list adds no numbers');
  assert.ok(
    html.indexOf('<header') > html.indexOf('2. Transfer learning'),
    "the header follows the notebook's own title",
  );
  assert.ok(!/<h1>Transfer learning with MNIST<\/h1>/.test(html), 'metadata.title is not added as a second title');
  const entries = [...header.matchAll(/<li class="level-(\d)"><a href="#[^"]*">([^<]*)<\/a>/g)].map((m) => m[2]);
  assert.deepEqual(entries, ['1. The data', 'Exercise 1', 'Exercise 2', '2. Next section']);
  assert.deepEqual(handoutProblems(html, { engine: ENGINE }), []);
});

test('handoutProblems names plumbing, a repeated engine line, caption tables and a numbered contents list', async () => {
  const { handoutProblems, shortEngine } = await tools.handoutHtml();
  assert.equal(shortEngine(ENGINE), 'tensorflow backend (TF 2.21.0, cpu), oneDNN off');
  assert.equal(
    shortEngine(
      'tensorflow backend (TF 2.21.0, cpu) via @tensorflow/tfjs-node; x; oneDNN on (cached self-test passed)',
    ),
    'tensorflow backend (TF 2.21.0, cpu), oneDNN on',
  );
  const page = (body: string) => `<html><body><main>${body}</main></body></html>`;
  assert.deepEqual(handoutProblems(page('<p>a lesson</p>'), { engine: ENGINE }), []);
  const bad = page(
    '<header class="lessonkit-handout-header"><nav><ol><li>1. x</li></ol></nav></header>' +
      '<pre>// Injected by scripts/lessons.mjs for this run</pre>' +
      `<pre>lessonkit run: profile ci; ${ENGINE}</pre><pre>${ENGINE}</pre>` +
      '<div class="lessonkit-grid"><img src="x"><table class="lessonkit-grid-captions"></table></div>',
  );
  const problems = handoutProblems(bad, { engine: ENGINE });
  assert.equal(problems.length, 5, problems.join('\n'));
  assert.match(problems.join('\n'), /Injected by scripts\/lessons\.mjs/);
  assert.match(problems.join('\n'), /engine's long explanation appears 2 times/);
  assert.match(problems.join('\n'), /1 image grid\(s\) followed by a table of captions/);
  assert.match(problems.join('\n'), /contents list numbers its entries/);
});
