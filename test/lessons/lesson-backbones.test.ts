import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CIFAR10_SAMPLE, loadMnist } from '../../src/data';
import { lessonProfile, mnistOutsideLessonSubset } from '../../src/lessons';

test('the ci pre-training pools never contain a lesson image, and CIFAR-10 ones fit in the shipped sample', async () => {
  const ci = lessonProfile('ci');
  // CIFAR-10: the lesson uses images [0, cifarTrainPerClass) of each class; the pool must start after them.
  const cifarPlan = ci.pretrain.cifarLesson;
  assert.equal(cifarPlan.source, 'cifar10');
  assert.ok(
    cifarPlan.range[0] >= (ci.cifarTrainPerClass ?? Infinity),
    `pool ${cifarPlan.range} starts after the lesson's ${ci.cifarTrainPerClass}`,
  );
  assert.ok(
    cifarPlan.range[1] <= CIFAR10_SAMPLE.trainPerClass &&
      (ci.cifarTestPerClass ?? Infinity) <= CIFAR10_SAMPLE.testPerClass,
    'inside the shipped sample',
  );

  // MNIST: the pool is every training image outside the lesson's sampled subset.
  const mnistPlan = ci.pretrain.mnistLesson;
  assert.equal(mnistPlan.source, 'mnist');
  const { train } = await loadMnist();
  const pool = mnistOutsideLessonSubset(train, ci);
  const lesson = new Set(train.sample(ci.trainSubset!, ci.seed).storeIndices);
  assert.equal(pool.length, train.length - ci.trainSubset!);
  assert.equal(pool.storeIndices.filter((i) => lesson.has(i)).length, 0, 'no lesson image in the pool');
  assert.ok(mnistPlan.range[1] <= pool.length);
  assert.throws(() => mnistOutsideLessonSubset(train, lessonProfile('full')), /no image is left/);
});
