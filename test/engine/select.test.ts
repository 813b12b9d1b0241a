import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseEngine, parseDeviceRequest, type EngineProbe } from '../../src/engine';

const probe = (p: Partial<EngineProbe>): EngineProbe => ({
  cpuPackageReady: false,
  gpuPackageReady: false,
  cudaDeviceVisible: false,
  ...p,
});

test('parseDeviceRequest accepts auto|cpu|gpu and defaults to auto', () => {
  assert.equal(parseDeviceRequest(undefined), 'auto');
  assert.equal(parseDeviceRequest(''), 'auto');
  assert.equal(parseDeviceRequest(' GPU '), 'gpu');
  assert.throws(() => parseDeviceRequest('tpu'), /LESSONKIT_DEVICE must be one of auto, cpu, gpu; found "tpu"/);
});

test('auto picks the GPU package only when it is built and a CUDA device answers', () => {
  assert.equal(
    chooseEngine('auto', probe({ cpuPackageReady: true, gpuPackageReady: true, cudaDeviceVisible: true })).packageName,
    '@tensorflow/tfjs-node-gpu',
  );
  assert.equal(
    chooseEngine('auto', probe({ cpuPackageReady: true, gpuPackageReady: true })).packageName,
    '@tensorflow/tfjs-node',
  );
  assert.equal(
    chooseEngine('auto', probe({ cpuPackageReady: true, cudaDeviceVisible: true })).packageName,
    '@tensorflow/tfjs-node',
  );
  assert.match(chooseEngine('auto', probe({ cpuPackageReady: true, gpuPackageReady: true })).reason, /no CUDA device/);
});

test('cpu never picks the GPU package', () => {
  const choice = chooseEngine('cpu', probe({ cpuPackageReady: true, gpuPackageReady: true, cudaDeviceVisible: true }));
  assert.equal(choice.packageName, '@tensorflow/tfjs-node');
  assert.equal(choice.expectedDevice, 'cpu');
});

test('gpu fails clearly without a GPU binding or without a CUDA device', () => {
  assert.throws(
    () => chooseEngine('gpu', probe({ cpuPackageReady: true })),
    /tfjs-node-gpu has no built native binding/,
  );
  assert.throws(
    () => chooseEngine('gpu', probe({ cpuPackageReady: true, gpuPackageReady: true })),
    /no CUDA device answers/,
  );
});

test('no native binding at all is an error that says how to fix it and never falls back to pure JS', () => {
  assert.throws(
    () => chooseEngine('auto', probe({})),
    (err: Error) => {
      assert.match(err.message, /No native TensorFlow backend/);
      assert.match(err.message, /npm run setup/);
      assert.match(err.message, /never used as a fallback/);
      return true;
    },
  );
});
