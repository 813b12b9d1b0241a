import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setDisplaySink, type MimeBundle } from '../../src/display';
import { barText, formatDuration, ProgressBar } from '../../src/train/progress';
import { runProgress } from '../../src/train/run-progress';

function captureStream(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY: boolean; text: string };
  s.text = '';
  s.isTTY = isTTY;
  return s;
}

test('tqdm-style line: percentage, bar, count, elapsed<eta, rate and running numbers', () => {
  let t = 0;
  const stream = captureStream(true);
  const bar = new ProgressBar(100, { description: 'epoch 1/5', mode: 'terminal', stream, now: () => t, unit: 'it' });
  t = 5000;
  bar.update(37, { loss: 0.412, acc: 0.883 });
  assert.equal(
    bar.snapshot().text(),
    `epoch 1/5:  37%|${barText(0.37, 24)}| 37/100 [00:05<00:09, 7.40it/s, loss=0.4120, acc=0.8830]`,
  );
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(barText(0.5, 4), '██  ');
});

test('terminal mode redraws one line with \\r, throttled to 4 per second, and ends with a newline', () => {
  let t = 0;
  const stream = captureStream(true);
  const bar = new ProgressBar(1000, { mode: 'terminal', stream, now: () => t });
  for (let i = 0; i < 1000; i++) {
    t += 2; // 1000 updates over 2 seconds
    bar.update(1);
  }
  bar.close();
  assert.equal(stream.text.split('\n').length, 2, 'one line plus the final newline');
  const draws = stream.text.split('\r').length - 1;
  assert.ok(draws >= 8 && draws <= 10, `${draws} redraws`);
  assert.match(stream.text, /1000\/1000/);
});

test('notebook mode: one output (one display id), updated in place, at most 4 updates per second', () => {
  const published: { bundle: MimeBundle; id?: string; update: boolean }[] = [];
  setDisplaySink({
    publish: (bundle, _m, transient, update) => void published.push({ bundle, id: transient.display_id, update }),
  });
  try {
    let t = 0;
    const bar = new ProgressBar(500, { now: () => t, description: 'x<y' });
    for (let i = 0; i < 500; i++) {
      t += 10; // 5 seconds
      bar.update(1, { loss: 1 });
    }
    bar.close();
    assert.ok(published.length >= 20 && published.length <= 22, `${published.length} publishes`);
    assert.equal(new Set(published.map((p) => p.id)).size, 1);
    assert.deepEqual(
      published.map((p) => p.update),
      [false, ...new Array(published.length - 1).fill(true)],
    );
    const last = published[published.length - 1].bundle;
    assert.match(last['text/plain'], /500\/500/);
    assert.match(last['text/html'] as string, /<progress value="500" max="500"/);
    assert.match(last['text/html'] as string, /x&lt;y/);
  } finally {
    setDisplaySink(undefined);
  }
});

test('log mode (not a TTY) writes a single line when the bar closes', () => {
  const stream = captureStream(false);
  const bar = new ProgressBar(10, { stream });
  for (let i = 0; i < 10; i++) bar.update(1);
  assert.equal(stream.text, '');
  bar.close();
  assert.equal(stream.text.trim().split('\n').length, 1);
});

test('runProgress: one bar over every epoch, counting images, with the epoch, images per second and time left', () => {
  const stream = captureStream(true);
  let t = 0;
  const run = runProgress({
    epochs: 2,
    samplesPerEpoch: 100,
    description: 'pre-training',
    mode: 'terminal',
    stream,
    now: () => t,
  });
  assert.match(
    stream.text,
    /pre-training:\s+0%\|\s+\| 0\/200 \[00:00<\?, \?img\/s, epoch=1\/2\]/,
    'shown before the first batch',
  );
  for (const epoch of [1, 2]) {
    for (let batch = 0; batch < 4; batch++) {
      t += 1000; // 25 images a second
      run.onBatchEnd!({ epoch, batch, size: 25, loss: 1, runningLoss: 0.5, runningAcc: null }, {} as never);
    }
  }
  const mid = stream.text.split('\r').find((l) => l.includes(' 100/200 '));
  assert.match(
    mid ?? '',
    /50%.* 100\/200 \[00:04<00:04, 25\.00img\/s, epoch=1\/2, loss=0\.5000\]/,
    'time left for the whole run',
  );
  run.onTrainEnd!({} as never, {} as never);
  assert.match(stream.text, /100%\|█+\| 200\/200 \[00:08<00:00, 25\.00img\/s, epoch=2\/2, loss=0\.5000\]\x1b\[K\n$/);
});
