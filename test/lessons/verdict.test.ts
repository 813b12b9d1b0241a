import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binomialStandardError, compareAccuracy, transferSummary, verdictTable } from '../../src/lessons';
import { formatCount, withArticle } from '../../src/lessons';

test('binomial standard error of an accuracy', () => {
  assert.ok(Math.abs(binomialStandardError(0.5, 100) - 0.05) < 1e-12);
  assert.equal(binomialStandardError(1, 500), 0);
  assert.throws(() => binomialStandardError(1.2, 10), RangeError);
  assert.throws(() => binomialStandardError(0.5, 0), RangeError);
});

test('compareAccuracy calls a difference real only beyond z standard errors', () => {
  // The issue's numbers: 500 test images each. 16.2% -> 11.0% is 5.2 points, 2 SE = 4.3 points: lower.
  const base = { name: 'frozen, 32x32', accuracy: 0.162, n: 500 };
  const up = compareAccuracy({ name: 'upsampled to 64x64', accuracy: 0.11, n: 500 }, base);
  assert.equal(up.verdict, 'lower');
  assert.ok(
    Math.abs(up.threshold - 2 * Math.hypot(Math.sqrt((0.11 * 0.89) / 500), Math.sqrt((0.162 * 0.838) / 500))) < 1e-12,
  );
  assert.match(
    up.sentence,
    /^upsampled to 64x64: 11\.0% vs 16\.2% \(frozen, 32x32\): 5\.2 points lower, beyond 2 standard errors \(4\.3 points\)\.$/,
  );
  // 22.0% -> 21.6%: within noise.
  const aug = compareAccuracy(
    { name: '+ augmentation', accuracy: 0.216, n: 500 },
    { name: 'fine-tuned', accuracy: 0.22, n: 500 },
  );
  assert.equal(aug.verdict, 'within noise');
  assert.match(aug.sentence, /within noise/);
  // The same gap on 10,000 images is real.
  assert.equal(
    compareAccuracy({ name: 'a', accuracy: 0.5, n: 10000 }, { name: 'b', accuracy: 0.48, n: 10000 }).verdict,
    'higher',
  );
  assert.equal(
    compareAccuracy({ name: 'a', accuracy: 0.5, n: 10000 }, { name: 'b', accuracy: 0.48, n: 10000 }, { z: 3 }).verdict,
    'within noise',
  );
  // Two perfect scores are not "different".
  assert.equal(
    compareAccuracy({ name: 'a', accuracy: 1, n: 500 }, { name: 'b', accuracy: 1, n: 500 }).verdict,
    'within noise',
  );
  const rows = verdictTable(base, [
    { name: 'x', accuracy: 0.4, n: 500 },
    { name: 'y', accuracy: 0.15, n: 500 },
  ]);
  assert.deepEqual(
    rows.map((r) => r.verdict),
    ['higher', 'within noise'],
  );
});

test('transferSummary says whether transfer paid off, from the numbers', () => {
  const scratch = { name: 'from scratch', accuracy: 0.3, n: 500 };
  assert.match(
    transferSummary({ name: 'strategy 3', accuracy: 0.45, n: 500 }, scratch, { target: 0.4 }),
    /^transfer paid off in this run\. .*reached the lesson's target of 40\.0%\.$/,
  );
  assert.match(
    transferSummary({ name: 'strategy 3', accuracy: 0.31, n: 500 }, scratch, { target: 0.4 }),
    /^transfer made no difference beyond noise .*fell short of the lesson's target of 40\.0%\.$/,
  );
  assert.match(transferSummary({ name: 'strategy 3', accuracy: 0.2, n: 500 }, scratch), /^transfer did NOT pay off/);
});

test('withArticle and formatCount', () => {
  assert.equal(withArticle('airplane'), 'an airplane');
  assert.equal(withArticle('automobile'), 'an automobile');
  assert.equal(withArticle('cat'), 'a cat');
  assert.equal(withArticle('horse'), 'a horse');
  assert.equal(withArticle('hour'), 'an hour');
  assert.equal(withArticle('unicorn'), 'a unicorn');
  assert.equal(withArticle('8'), 'an 8');
  assert.equal(withArticle('7'), 'a 7');
  assert.equal(formatCount(20490), '20,490');
  assert.equal(formatCount(23528522), '23,528,522');
  assert.throws(() => formatCount(Number.NaN), RangeError);
});
