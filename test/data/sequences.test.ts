import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
import { DataFormatError } from '../../src/errors';

test('sp500-2000.csv from vega-datasets: every trading day in date order, numeric columns as float32', () => {
  const file = vegaDatasetPath('sp500-2000.csv');
  const s = loadCsvSeries(file, { columns: ['close', 'volume'], timeColumn: 'date' });
  const dataLines =
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length - 1;
  assert.equal(s.length, dataLines);
  assert.ok(s.length > 5000);
  assert.deepEqual(s.columns, ['close', 'volume']);
  assert.equal(s.times![0], '2000-01-03');
  assert.ok(
    s.times!.every((t, i) => i === 0 || t > s.times![i - 1]),
    'sorted by date',
  );
  assert.ok(Math.abs(s.values[0] - 1455.219971) < 1e-3);
  assert.equal(s.values[1], 931800000);
});

test('missing or non-numeric CSV columns are refused with the columns found', () => {
  const file = vegaDatasetPath('seattle-weather.csv');
  assert.throws(
    () => loadCsvSeries(file, { columns: ['temperature'] }),
    /expected columns temperature, found only date, precipitation, temp_max, temp_min, wind, weather/,
  );
  assert.throws(() => loadCsvSeries(file, { columns: ['weather'] }), /column weather must be numeric, found String/);
});

test('CSV damage: NaN, empty and text cells, and unparseable lines name the file, the column and the row', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-csv-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const rows = (cell: string) => `date,price,volume\n2000-01-01,1.5,10\n2000-01-02,${cell},11\n2000-01-03,2.5,12\n`;
  for (const [cell, found] of [
    ['NaN', 'NaN'],
    ['', 'empty'],
    ['inf', 'Infinity'],
  ] as const) {
    const file = write(`cell-${found}.csv`, rows(cell));
    assert.throws(
      () => loadCsvSeries(file, { columns: ['volume', 'price'] }),
      (err: Error) =>
        err instanceof DataFormatError &&
        err.file === file &&
        err.message.startsWith(
          `loadCsvSeries ${file}: column price, row 2 (line 3) is ${found}; expected a finite number in every row`,
        ),
      `cell ${JSON.stringify(cell)}`,
    );
  }
  // A bad value after polars' schema inference window: polars' own error (Python advice, no file) is replaced.
  const late = write(
    'late.csv',
    ['date,price', ...Array.from({ length: 200 }, (_, i) => `d${i},${i}.5`), 'd200,oops', ''].join('\n'),
  );
  assert.throws(
    () => loadCsvSeries(late, { columns: ['price'] }),
    (err: Error) => {
      assert.ok(err instanceof DataFormatError);
      assert.equal(
        err.message,
        `loadCsvSeries ${late}: column price, row 201 (line 202) holds "oops"; expected a number in every row of the series. Fix or remove that row of the file.`,
      );
      assert.doesNotMatch(err.message, /infer_schema_length|ignore_errors/);
      return true;
    },
  );
  const quoted = write('quoted.csv', 'a,b\n1,2\n"x,4\n');
  assert.throws(
    () => loadCsvSeries(quoted, { columns: ['b'] }),
    (err: Error) => {
      assert.ok(err instanceof DataFormatError);
      assert.match(
        err.message,
        new RegExp(
          `^loadCsvSeries ${quoted}: expected a CSV file with a header row and one value per column in every row; it does not parse: .*not properly escaped.*Check the quoting`,
        ),
      );
      assert.doesNotMatch(err.message, /infer_schema_length|ignore_errors|null_values/);
      return true;
    },
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a NaN in a series handed to WindowDataset directly is refused with its row', () => {
  const values = Float32Array.from([1, 2, 3, NaN, 5, 6]);
  assert.throws(
    () => new WindowDataset(values, 2, { window: 1 }, 100),
    (err: Error) =>
      err instanceof DataFormatError &&
      /^WindowDataset: row 101 \(feature 1\) of the series is NaN; expected finite numbers/.test(err.message),
  );
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
  const series = loadCsvSeries(vegaDatasetPath('seattle-weather.csv'), {
    columns: ['temp_max', 'temp_min', 'precipitation', 'wind'],
    timeColumn: 'date',
  });
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
    assert.deepEqual(
      Array.from(row, (v) => Math.round(v * 255)),
      Array.from(testSet.image(indices[0])),
    );
    assert.equal(y.dataSync()[0], testSet.label(indices[0]));
  }
  assert.equal(tf.memory().numTensors, before);
});
