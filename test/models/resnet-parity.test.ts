/**
 * The key test: torchvision's ResNets, with random weights and non-trivial BatchNorm statistics, give the same
 * eval-mode logits and pooled features here as in PyTorch, at 224x224 and at 32x32.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { readSafetensorsFile, resnet } from '../../src/models';
import { REFERENCE_ARCHS, REFERENCE_SIZES, torchReference } from './torch-reference';
import { convRerouteStatus, convRouteKey, installConvReroute } from '../../src/engine/conv-reroute';
import { resnetConvShapes } from '../../src/selftest/onednn-child';
import { RESNET_SPECS } from '../../src/models/resnet/resnet-spec';

const TOLERANCE = 1e-4; // max |ours - torch| <= TOLERANCE * max |torch|

/** max |a - b| (or max |a| without b). */
function maxAbs(a: tf.Tensor, b?: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(b ? tf.sub(a, b) : a)).dataSync()[0]);
}

for (const arch of REFERENCE_ARCHS) {
  test(`${arch} loads a torchvision state_dict and matches PyTorch logits and pooled features at ${REFERENCE_SIZES.join(' and ')}`, async (t) => {
    const ref = torchReference();
    if (typeof ref === 'string') return t.skip(`SKIPPED: ${ref}`);
    ensureEngine();
    const before = tf.memory().numTensors;
    const model = await resnet(arch, { weights: ref.stateDict(arch) });
    const trainableParams = model.trainableWeights.reduce(
      (n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1),
      0,
    );
    assert.equal(trainableParams, ref.manifest.archs[arch].params, "parameter count equals torchvision's");
    const features = tf.model({ inputs: model.inputs, outputs: model.getLayer('avgpool').output as tf.SymbolicTensor });
    const io = readSafetensorsFile(ref.io(arch));
    const tensor = (name: string) => tf.tensor(io.readFloat32(name), io.entries.get(name)!.shape);
    // Twice: with this machine's engine as it is, then with every 1x1 convolution of the arch computed as matrix
    // products (what the engine does on a CPU where oneDNN crashes on them), so the reroute is checked everywhere.
    const engineKeys = convRerouteStatus().keys;
    const oneByOne = [
      ...new Set(
        resnetConvShapes(RESNET_SPECS[arch as keyof typeof RESNET_SPECS], 224)
          .filter((c) => c.kernel === 1)
          .map((c) => convRouteKey(c)),
      ),
    ];
    const passes = oneByOne.length ? ['engine as loaded', 'every 1x1 conv rerouted'] : ['engine as loaded'];
    for (const pass of passes) {
      if (pass !== 'engine as loaded') installConvReroute([...new Set([...engineKeys, ...oneByOne])]);
      const callsBefore = Object.values(convRerouteStatus().calls).reduce((a, b) => a + b, 0);
      for (const size of REFERENCE_SIZES) {
        const [x, wantLogits, wantFeatures] = [
          tensor(`input${size}`),
          tensor(`logits${size}`),
          tensor(`features${size}`),
        ];
        const logits = model.predict(x) as tf.Tensor;
        const pooled = features.predict(x) as tf.Tensor;
        const dLogits = maxAbs(logits, wantLogits);
        const scaleLogits = maxAbs(wantLogits);
        const dFeatures = maxAbs(pooled, wantFeatures);
        const scaleFeatures = maxAbs(wantFeatures);
        console.log(
          `parity ${arch} ${size}x${size} (${pass}): logits max|diff| ${dLogits.toExponential(3)} (max|logit| ${scaleLogits.toExponential(3)}, ` +
            `ratio ${(dLogits / scaleLogits).toExponential(2)}); features max|diff| ${dFeatures.toExponential(3)} ` +
            `(max ${scaleFeatures.toExponential(3)}, ratio ${(dFeatures / scaleFeatures).toExponential(2)})`,
        );
        assert.deepEqual(logits.shape, wantLogits.shape);
        assert.ok(
          dLogits <= TOLERANCE * scaleLogits,
          `${arch} ${size}: logits differ by ${dLogits} > ${TOLERANCE} * ${scaleLogits}`,
        );
        assert.ok(
          dFeatures <= TOLERANCE * scaleFeatures,
          `${arch} ${size}: features differ by ${dFeatures} > ${TOLERANCE} * ${scaleFeatures}`,
        );
        tf.dispose([x, wantLogits, wantFeatures, logits, pooled]);
      }
      const rerouted = Object.values(convRerouteStatus().calls).reduce((a, b) => a + b, 0) - callsBefore;
      console.log(`parity ${arch} (${pass}): ${rerouted} conv kernel calls computed as matrix products`);
      if (pass !== 'engine as loaded') {
        assert.ok(rerouted > 0, 'the forced pass went through the reroute');
        installConvReroute(engineKeys);
      }
    }
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  });
}
