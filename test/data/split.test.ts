import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMnist, stratifiedSplit } from '../../src/data';

function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

test('MNIST 80/20 split: 48,000 + 12,000, disjoint, covering every sample, each class within one sample of 20%', async () => {
  const { train: full } = await loadMnist();
  const { train, validation } = full.split({ validationFraction: 0.2, seed: 42 });
  assert.equal(train.length, 48000);
  assert.equal(validation.length, 12000);
  const seen = new Uint8Array(full.length);
  for (const s of train.storeIndices) seen[s]++;
  for (const s of validation.storeIndices) seen[s]++;
  assert.ok(seen.every((v) => v === 1), 'every sample is in exactly one part');
  const all = classCounts(full.labels());
  const val = classCounts(validation.labels());
  val.forEach((v, c) => assert.ok(Math.abs(v - all[c] * 0.2) <= 1, `class ${c}: ${v} of ${all[c]} in validation`));
});

test('the split is fixed by its seed and changes with it', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 7);
  const a = stratifiedSplit(labels, { seed: 1 });
  assert.deepEqual(stratifiedSplit(labels, { seed: 1 }), a);
  assert.notDeepEqual(stratifiedSplit(labels, { seed: 2 }).validation, a.validation);
  assert.equal(a.validation.length, 200);
});

test("the original lesson's split bug: validation taken from the training subset overlaps it; ours does not", async () => {
  const { train: full } = await loadMnist();
  const parts = stratifiedSplit(full.labels(), { validationFraction: 0.2, seed: 42 });
  // The lesson: train_dataset = Subset(train_dataset, train_idx); validation_dataset = Subset(train_dataset, val_idx).
  const lessonTrain = full.subset(parts.train);
  const inRange = parts.validation.filter((i) => i < lessonTrain.length);
  const lessonValidation = lessonTrain.subset(inRange);
  const trainSet = new Set(lessonTrain.storeIndices);
  const overlap = lessonValidation.storeIndices.filter((s) => trainSet.has(s)).length;
  assert.equal(overlap, lessonValidation.length, 'every "validation" sample of the lesson is also a training sample');
  assert.ok(inRange.length < parts.validation.length, 'and some of its validation indices do not exist in the 48,000 subset');
  assert.throws(() => lessonTrain.subset(parts.validation), /index \d+ .* out of range; expected an integer in \[0, 48000\)/);

  const ours = full.split({ validationFraction: 0.2, seed: 42 });
  const ourTrain = new Set(ours.train.storeIndices);
  assert.equal(ours.validation.storeIndices.filter((s) => ourTrain.has(s)).length, 0, 'our validation set is disjoint');
});

test('bad split fractions are refused with the value found', () => {
  assert.throws(() => stratifiedSplit([0, 1], { validationFraction: 1.2 }), /validationFraction must be in \(0, 1\), got 1\.2/);
});
