// Item 10 probe: pre-train (or reuse) an MNIST stand-in recipe, then score strategy 3 the way lesson 01 does:
// features of the frozen backbone at 32x32 for the lesson's 800 training / 1,000 test images, a Linear(2048, 10)
// head with log-softmax, Adam 1e-3, 30 epochs, batch 64, seed 42; last-epoch test accuracy (the table's number).
// Usage: node bench/mnist-standin-probe.mjs '<json overrides of the ci mnistLesson plan>' [tag]
// Features are saved to /tmp/bb/feat-<tag>.json for head-only experiments.
import * as fs from 'node:fs';
const lk = await import('../dist/src/index.js');
const tr = await import('../dist/src/train/index.js');
const models = await import('../dist/src/models/index.js');
const tf = await import('@tensorflow/tfjs');
const overrides = JSON.parse(process.argv[2] ?? '{}');
const tag = process.argv[3] ?? 'baseline';
const base = lk.lessonProfile('ci');
const profile = {
  ...base,
  pretrain: { ...base.pretrain, mnistLesson: { ...base.pretrain.mnistLesson, ...overrides } },
};
const t0 = Date.now();
const bb = await tr.lessonBackbone('mnist-lesson', profile);
console.log(`[${tag}] ${bb.line}`);
console.log(`[${tag}] pretrain ${bb.pretrained.fromCache ? 'cached' : ((Date.now() - t0) / 1000).toFixed(0) + ' s'}`);
const mnist = await lk.loadMnist();
const labelled = mnist.train.sample(profile.trainSubset, profile.seed);
const testSet = mnist.test.sample(profile.testSubset, profile.seed);
const { train: trainSet } = labelled.split({ validationFraction: profile.validationFraction, seed: profile.seed });
const size = 32;
const input = lk.compose(lk.grayscaleTo3(), lk.resize(size), lk.scaleTo01());
const backbone = await lk.resnet50({ includeTop: false, weights: bb.pretrained.file, inputShape: [size, size, 3] });
const fast = models.compileFrozenBackbone(backbone);
async function feats(set) {
  const cache = await lk.cacheFeatures(backbone, new lk.DataLoader(set, { batchSize: 64, transform: input }), {
    forward: (x) => fast.features(x),
  });
  const { x, y } = cache.concat();
  cache.dispose();
  return { x, y };
}
const tr_ = await feats(trainSet),
  te = await feats(testSet);
fs.writeFileSync(
  `/tmp/bb/feat-${tag}.json`,
  JSON.stringify({
    xtr: Array.from(tr_.x.dataSync()),
    ytr: Array.from(tr_.y.dataSync()),
    xte: Array.from(te.x.dataSync()),
    yte: Array.from(te.y.dataSync()),
    d: tr_.x.shape[1],
  }),
);
async function head(xtr, xte, label) {
  const h = lk.replaceHead(
    await lk.resnet50({ includeTop: false, inputShape: [size, size, 3] }),
    { classes: 10, logSoftmax: true },
    { seed: profile.seed },
  );
  const { head: hd } = lk.splitBackboneHead(h);
  await lk.fit(
    hd,
    new lk.DataLoader(new lk.TensorDataset(xtr, tr_.y), { batchSize: 64, shuffle: true, seed: profile.seed }),
    { epochs: 30, learningRate: 1e-3, loss: 'nll', progress: 'none', liveChart: false },
  );
  const acc = tf.tidy(() => hd.predict(xte).argMax(-1).equal(te.y.cast('int32')).mean().dataSync()[0]);
  console.log(`[${tag}] strategy 3 (${label}): ${(100 * acc).toFixed(1)}%`);
  h.dispose();
}
await head(tr_.x, te.x, 'raw');
const { mean, variance } = tf.moments(tr_.x, 0);
const sd = variance.sqrt().add(1e-6);
await head(tr_.x.sub(mean).div(sd), te.x.sub(mean).div(sd), 'standardised');
