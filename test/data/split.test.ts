import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chronologicalSplit, loadMnist, stratifiedSplit } from '../../src/data';
import { OptionError } from '../../src/errors';

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
  assert.ok(
    seen.every((v) => v === 1),
    'every sample is in exactly one part',
  );
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
  assert.ok(
    inRange.length < parts.validation.length,
    'and some of its validation indices do not exist in the 48,000 subset',
  );
  assert.throws(
    () => lessonTrain.subset(parts.validation),
    /index \d+ .* out of range; expected an integer in \[0, 48000\)/,
  );

  const ours = full.split({ validationFraction: 0.2, seed: 42 });
  const ourTrain = new Set(ours.train.storeIndices);
  assert.equal(ours.validation.storeIndices.filter((s) => ourTrain.has(s)).length, 0, 'our validation set is disjoint');
});

test('bad split fractions are refused with the value found', () => {
  assert.throws(
    () => stratifiedSplit([0, 1], { validationFraction: 1.2 }),
    /validationFraction must be in \(0, 1\), got 1\.2/,
  );
});

test('a fraction that leaves a part empty is refused at once, naming the fraction and the sample count', () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 5);
  assert.throws(
    () => stratifiedSplit(labels, { validationFraction: 0.001 }),
    (err: Error) =>
      err instanceof OptionError &&
      err.option === 'validationFraction' &&
      /^stratifiedSplit: validationFraction 0\.001 of 50 samples gives 0 validation and 50 training samples; expected at least 1 in each part \(the validation part is empty\)\. Use a fraction in \[0\.010, 0\.990\] for 50 samples\.$/.test(
        err.message,
      ),
  );
  assert.throws(
    () => stratifiedSplit(labels, { validationFraction: 0.999 }),
    /gives 50 validation and 0 training samples; .*\(the training part is empty\)/,
  );
  assert.equal(stratifiedSplit(labels, { validationFraction: 0.02 }).validation.length, 1, 'one sample is enough');
  assert.throws(
    () => chronologicalSplit(50, { train: 0.7, validation: 0.005 }),
    (err: Error) =>
      err instanceof OptionError &&
      /^chronologicalSplit: the validation share 0\.005 of 50 rows gives 0 rows; expected at least 1 row/.test(
        err.message,
      ),
  );
  assert.throws(
    () => chronologicalSplit(50, { train: 0.005, validation: 0.5 }),
    /the train share 0\.005 of 50 rows gives 0 rows/,
  );
  assert.throws(
    () => chronologicalSplit(50, { train: 0.7, validation: 0.295 }),
    /the test share \(1 - train - validation = 0\.005\) of 50 rows gives 0 rows/,
  );
  assert.deepEqual(
    chronologicalSplit(50, { train: 0.8, validation: 0 }).validation,
    [40, 40],
    'a validation share of 0 asks for no validation part',
  );
});
