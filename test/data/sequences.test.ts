import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  asRowSequences,
  chronologicalSplit,
  DataLoader,
  fitScaler,
  loadCsvSeries,
  loadMnist,
  timeSeriesDatasets,
  vegaDatasetPath,
  WindowDataset,
} from '../../src/data';
import { ensureEngine } from '../../src/engine';

test('sp500-2000.csv from vega-datasets: every trading day in date order, numeric columns as float32', () => {
  const file = vegaDatasetPath('sp500-2000.csv');
  const s = loadCsvSeries(file, { columns: ['close', 'volume'], timeColumn: 'date' });
  const dataLines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length - 1;
  assert.equal(s.length, dataLines);
  assert.ok(s.length > 5000);
  assert.deepEqual(s.columns, ['close', 'volume']);
  assert.equal(s.times![0], '2000-01-03');
  assert.ok(s.times!.every((t, i) => i === 0 || t > s.times![i - 1]), 'sorted by date');
  assert.ok(Math.abs(s.values[0] - 1455.219971) < 1e-3);
  assert.equal(s.values[1], 931800000);
});

test('missing or non-numeric CSV columns are refused with the columns found', () => {
  const file = vegaDatasetPath('seattle-weather.csv');
  assert.throws(() => loadCsvSeries(file, { columns: ['temperature'] }), /expected columns temperature, found only date, precipitation, temp_max, temp_min, wind, weather/);
  assert.throws(() => loadCsvSeries(file, { columns: ['weather'] }), /column weather must be numeric, found String/);
});

test('chronological split: train, validation, test in time order, covering every row once', () => {
  const r = chronologicalSplit(1461, { train: 0.7, validation: 0.15 });
  assert.deepEqual(r.train[0], 0);
  assert.equal(r.train[1], r.validation[0]);
  assert.equal(r.validation[1], r.test[0]);
  assert.equal(r.test[1], 1461);
  assert.equal(r.train[1], Math.round(1461 * 0.7));
});

test('seattle-weather windows: the scaler is fitted on the training rows only, and no window crosses a split', () => {
  const series = loadCsvSeries(vegaDatasetPath('seattle-weather.csv'), { columns: ['temp_max', 'temp_min', 'precipitation', 'wind'], timeColumn: 'date' });
  const splits = timeSeriesDatasets(series, { window: 30, horizon: 1, targets: [0], scaler: 'standard' });
  const ranges = chronologicalSplit(series.length);
  const features = 4;
  const trainRows = series.values.subarray(0, ranges.train[1] * features);
  const expected = fitScaler('standard', trainRows, features);
  assert.deepEqual(splits.scaler!.offset, expected.offset, 'offset = mean of the training rows');
  // Scaled training rows have mean 0 and std 1; later parts do not need to.
  const t = splits.train.values;
  let m = 0;
  for (let r = 0; r < t.length / features; r++) m += t[r * features];
  assert.ok(Math.abs(m / (t.length / features)) < 1e-4);
  // Every part is windowed on its own rows only.
  assert.equal(splits.train.length, ranges.train[1] - 31 + 1);
  assert.equal(splits.test.startRow, ranges.test[0]);
  assert.equal(splits.validation.rows, ranges.validation[1] - ranges.validation[0]);
  // The inverse transform gives back the original values.
  const back = splits.scaler!.inverse(splits.test.values.subarray(0, 4));
  for (let f = 0; f < 4; f++) assert.ok(Math.abs(back[f] - series.values[ranges.test[0] * 4 + f]) < 1e-3);
});

test('sp500 close: the scaler statistics are those of the first 70% of days, not of the whole series', () => {
  const series = loadCsvSeries(vegaDatasetPath('sp500-2000.csv'), { columns: ['close'], timeColumn: 'date' });
  const splits = timeSeriesDatasets(series, { window: 20, scaler: 'minmax' });
  const trainEnd = chronologicalSplit(series.length).train[1];
  const train = series.values.subarray(0, trainEnd);
  assert.equal(splits.scaler!.offset[0], Math.min(...train));
  assert.ok(Math.abs(splits.scaler!.scale[0] - (Math.max(...train) - Math.min(...train))) < 1e-2);
  const overallMax = Math.max(...series.values);
  assert.ok(overallMax > Math.max(...train), 'the later (test) period reaches values the training period never saw');
  // So scaled test values leave [0, 1]: the test period was not used to fit the scaler.
  assert.ok(Math.max(...splits.test.values) > 1);
});

test('a window sample is `window` consecutive rows and the target is the next row', () => {
  ensureEngine();
  const values = Float32Array.from({ length: 20 * 2 }, (_, i) => i);
  const ds = new WindowDataset(values, 2, { window: 3, horizon: 2, targets: [1] });
  assert.equal(ds.length, 16);
  const { x, y } = ds.gather(Int32Array.from([0, 5]));
  assert.deepEqual(x.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(x.dataSync().subarray(6)), [10, 11, 12, 13, 14, 15]);
  assert.deepEqual(Array.from(y.dataSync()), [7, 9, 17, 19]);
  tf.dispose([x, y]);
  assert.throws(() => ds.gather(Int32Array.from([16])), /index 16 .* out of range; expected an integer in \[0, 16\)/);
});

test('MNIST as sequences: 28 steps of 28 features in [0,1], through the DataLoader', async () => {
  ensureEngine();
  const { test: testSet } = await loadMnist();
  const seq = asRowSequences(testSet.take(64));
  assert.deepEqual(seq.sequenceShape, [28, 28]);
  const before = tf.memory().numTensors;
  for await (const { x, y, indices } of new DataLoader(seq, { batchSize: 32 })) {
    assert.deepEqual(x.shape, [32, 28, 28]);
    const row = x.dataSync().subarray(0, 28 * 28);
    assert.deepEqual(Array.from(row, (v) => Math.round(v * 255)), Array.from(testSet.image(indices[0])));
    assert.equal(y.dataSync()[0], testSet.label(indices[0]));
  }
  assert.equal(tf.memory().numTensors, before);
});
