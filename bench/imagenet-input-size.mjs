// Item 11: what input size the quick (`ci`) lessons can afford with ImageNet weights on this CPU.
// For each lesson's backbone (ResNet-50 for MNIST, ResNet-34 for CIFAR-10) and each input side, it measures
//   - the frozen feature pass (compileFrozenBackbone, what strategy 3's feature cache uses), images per second;
//   - the layers model's inference (what `evaluate` on the test set uses), images per second;
//   - a training step of the whole network (strategy 1; strategy 2 costs a little less), images per second;
// and prints the per-epoch times of the lesson's workloads: features of its 1,000 labelled images, a pass over its
// 1,000 test images, and a training epoch over its 800 training images.
// Weights are random: the time does not depend on their values.
// Usage: node bench/imagenet-input-size.mjs [sizes] [archs] [sizes with a training epoch]; BENCH_BATCH overrides the batch.
import * as os from 'node:os';
const lk = await import('../dist/src/index.js');
const models = await import('../dist/src/models/index.js');
const tf = await import('@tensorflow/tfjs');
const sizes = (process.argv[2] ?? '32,64,96,128,224').split(',').map(Number);
const archs = (process.argv[3] ?? 'resnet50,resnet34').split(',');
// Sides at which a training epoch is measured too (it is the slow part; on a loaded machine, keep this short).
const trainSizes = (process.argv[4] ?? sizes.join(',')).split(',').map(Number);
console.log(lk.describeEngine(lk.ensureEngine()));
console.log(
  `cpus ${os.cpus().length}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const time = async (fn, reps) => {
  await fn(); // warm-up
  const t = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t) / 1000 / reps;
};
const rows = [];
for (const arch of archs) {
  for (const s of sizes) {
    const b = Number(process.env.BENCH_BATCH ?? (s >= 160 ? 16 : s >= 96 ? 32 : 64));
    const reps = s >= 160 ? 2 : 3;
    const backbone = await models.resnet(arch, { includeTop: false, seed: 1 });
    const model = lk.replaceHead(backbone, { classes: 10 }, { seed: 1 });
    const x = tf.randomUniform([b, s, s, 3]);
    const y = tf.tensor1d(
      Array.from({ length: b }, (_, i) => i % 10),
      'int32',
    );
    const fast = models.compileFrozenBackbone(model);
    const feat = await time(async () => {
      const f = fast.features(x);
      await f.data();
      f.dispose();
    }, reps);
    const infer = await time(async () => {
      const p = model.predict(x);
      await p.data();
      p.dispose();
    }, reps);
    // A training epoch as the lessons run it: `fit` (its compiled graph step), the whole network trainable.
    if (!trainSizes.includes(s)) {
      const per = { feat: feat / b, infer: infer / b };
      const row = {
        arch,
        size: s,
        batch: b,
        'features img/s': (1 / per.feat).toFixed(1),
        'inference img/s': (1 / per.infer).toFixed(1),
        'features of 1,000 s': (1000 * per.feat).toFixed(0),
        'test pass 1,000 s': (1000 * per.infer).toFixed(0),
      };
      rows.push(row);
      console.log(JSON.stringify(row), `load ${os.loadavg()[0].toFixed(1)}`);
      tf.dispose([x, y]);
      fast.dispose();
      model.dispose();
      continue;
    }
    const n = 2 * b;
    const data = new lk.TensorDataset(
      tf.randomUniform([n, s, s, 3]),
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 10),
        'int32',
      ),
    );
    const loader = new lk.DataLoader(data, { batchSize: b });
    const opts = { epochs: 1, learningRate: 1e-3, progress: 'none', liveChart: false };
    // One call, so the graph step is built once; the first epoch (which builds it) is left out.
    const run = await lk.fit(model, loader, { ...opts, epochs: reps + 1 });
    const later = run.history.records.slice(1).map((r) => r.seconds);
    const trainPerImage = later.reduce((a, c) => a + c, 0) / later.length / n;
    data.dispose();
    const per = { feat: feat / b, infer: infer / b, train: trainPerImage };
    const row = {
      arch,
      size: s,
      batch: b,
      'features img/s': (1 / per.feat).toFixed(1),
      'inference img/s': (1 / per.infer).toFixed(1),
      'train img/s': (1 / per.train).toFixed(1),
      'features of 1,000 s': (1000 * per.feat).toFixed(0),
      'test pass 1,000 s': (1000 * per.infer).toFixed(0),
      'train epoch 800 s': (800 * per.train).toFixed(0),
    };
    rows.push(row);
    console.log(JSON.stringify(row), `load ${os.loadavg()[0].toFixed(1)}`);
    tf.dispose([x, y]);
    fast.dispose?.();
    model.dispose();
  }
}
console.table(rows);
