import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_WEIGHTS, IMAGENET_CATEGORIES, RESNET_SPECS, WEIGHTS, weightsEntry } from '../../src/models';

for (const entry of Object.values(WEIGHTS)) {
  test(`registry entry ${entry.name} is complete and consistent`, () => {
    assert.equal(entry.url, `https://huggingface.co/timm/${entry.name}/resolve/main/model.safetensors`);
    assert.ok(entry.name.startsWith(`${entry.arch}.`));
    assert.ok(entry.arch in RESNET_SPECS);
    if (entry.sha256 !== null) assert.match(entry.sha256, /^[0-9a-f]{64}$/);
    assert.ok(entry.sha256Source.length > 10, 'says where the hash came from, or why there is none');
    assert.equal(entry.categories.length, 1000);
    assert.equal(entry.preprocessing.crop, 224);
    assert.ok(entry.accuracy.top1 > 60 && entry.accuracy.top1 < entry.accuracy.top5);
  });
}

test('ImageNet category names are torchvision order', () => {
  assert.equal(IMAGENET_CATEGORIES.length, 1000);
  assert.equal(new Set(IMAGENET_CATEGORIES).size >= 998, true); // torchvision's list has two duplicated names
  assert.deepEqual(
    [IMAGENET_CATEGORIES[0], IMAGENET_CATEGORIES[1], IMAGENET_CATEGORIES[999]],
    ['tench', 'goldfish', 'toilet tissue'],
  );
});

test("'imagenet' means torchvision's DEFAULT weights per architecture", () => {
  assert.equal(weightsEntry(DEFAULT_WEIGHTS.resnet50).torchvision, 'ResNet50_Weights.IMAGENET1K_V2');
  assert.equal(weightsEntry(DEFAULT_WEIGHTS.resnet34).torchvision, 'ResNet34_Weights.IMAGENET1K_V1');
  assert.throws(() => weightsEntry('resnet50.a1_in1k'), /Unknown weights "resnet50.a1_in1k"/);
});
