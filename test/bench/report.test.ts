import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  TABLE_END,
  TABLE_START,
  markdownSection,
  markdownTable,
  writeMarkdownSection,
  type BenchRun,
} from '../../bench/report';

function run(results: BenchRun['results']): BenchRun {
  return {
    command: 'npm run bench',
    startedAt: '2026-01-01T00:00:00Z',
    wallSeconds: 1,
    quick: true,
    threads: 2,
    machine: { cpuModel: 'cpu', cores: 2, memoryGiB: 1, platform: 'linux', loadAverageAtStart: 0, node: '20' },
    loadAverageAtEnd: 0,
    versions: {},
    results,
  };
}

test('the table divides our median by each peer median and by the faster peer', () => {
  const table = markdownTable(
    run([
      { framework: 'lessonkit', workload: 'lstm', items_per_s: [100, 300, 200], peak_rss_mb: 10 },
      { framework: 'torch', workload: 'lstm', items_per_s: [400], peak_rss_mb: 20 },
      { framework: 'keras', workload: 'lstm', items_per_s: [50, 50], peak_rss_mb: 30 },
    ]),
  );
  const row = table.split('\n').find((l) => l.startsWith('| LSTM'));
  assert.ok(row, table);
  assert.match(
    row,
    /\| 200 \(100\) \| 400 \(400\) \| 50\.0 \(50\.0\) \| 10 \/ 20 \/ 30 \| 0\.50x \| 4\.00x \| 0\.50x \|$/,
  );
});

test('a failed or skipped peer shows in its cell and the ratio is left out', () => {
  const table = markdownTable(
    run([
      { framework: 'lessonkit', workload: 'e2e-strategy3', items_per_s: [10] },
      { framework: 'torch', workload: 'e2e-strategy3', items_per_s: [], error: 'exit 1' },
      { framework: 'keras', workload: 'e2e-strategy3', items_per_s: [], skipped: 'n/a' },
    ]),
  );
  assert.match(table, /\| failed \| n\/a \| .* \| – \| – \| – \|$/m);
});

test('writeMarkdownSection replaces only the text between the markers', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-md-')), 'BENCHMARKS.md');
  fs.writeFileSync(file, `# B\n\nbefore\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`);
  writeMarkdownSection(file, 'new table');
  assert.equal(fs.readFileSync(file, 'utf8'), `# B\n\nbefore\n${TABLE_START}\nnew table\n${TABLE_END}\nafter\n`);
});

test('the worker runs one workload and prints one JSON line in the peers format', () => {
  const worker = path.resolve(__dirname, '..', '..', 'bench', 'tfjs-worker.js');
  const r = spawnSync(process.execPath, [worker, '--workload', 'simplernn', '--warmup', '0', '--repeats', '1'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    framework: string;
    workload: string;
    items_per_s: number[];
    peak_rss_mb: number;
  };
  assert.equal(out.framework, 'lessonkit');
  assert.equal(out.workload, 'simplernn');
  assert.equal(out.items_per_s.length, 1);
  assert.ok(out.items_per_s[0] > 0 && out.peak_rss_mb > 0);
});

test('the worker rejects an unknown workload, naming the known ones', () => {
  const worker = path.resolve(__dirname, '..', '..', 'bench', 'tfjs-worker.js');
  const r = spawnSync(process.execPath, [worker, '--workload', 'nope'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown workload "nope"; expected one of resnet34-frozen/);
});

test('the section says what the oneDNN self-test allowed', () => {
  const crashed = markdownSection({
    ...run([]),
    onednn: { safe: false, summary: 'oneDNN OFF: its self-test crashed with SIGFPE' },
  });
  assert.match(
    crashed,
    /- oneDNN: oneDNN OFF: its self-test crashed with SIGFPE\. Ours and Keras \(same TensorFlow\) ran every row with oneDNN off/,
  );
  const passed = markdownSection({
    ...run([]),
    onednn: { safe: true, summary: 'oneDNN on (cached self-test passed)' },
  });
  assert.match(passed, /- oneDNN: oneDNN on \(cached self-test passed\); our per-workload oneDNN choices/);
  assert.doesNotMatch(markdownSection(run([])), /oneDNN/);
});

test('the graph table puts the graph path beside the eager one, same run, with both ratios to the faster peer', () => {
  const r = run([
    { framework: 'lessonkit', workload: 'gru', items_per_s: [100, 100], peak_rss_mb: 10 },
    {
      framework: 'lessonkit-graph',
      workload: 'gru',
      items_per_s: [300, 300],
      peak_rss_mb: 11,
      settings: { graph: { graphSteps: 7 } },
    },
    { framework: 'torch', workload: 'gru', items_per_s: [200], peak_rss_mb: 20 },
    { framework: 'keras', workload: 'gru', items_per_s: [150], peak_rss_mb: 30 },
  ]);
  const section = markdownSection(r);
  const row = section.split('\n').find((l) => l.startsWith('| GRU') && l.includes('graph steps'));
  assert.ok(row, section);
  assert.match(row, /\| 100 \(100\) \| 300 \(300\) \| 3\.00x \| 0\.50x \| 1\.50x \| 10 \/ 11 \| 7 graph steps \|$/);
});
