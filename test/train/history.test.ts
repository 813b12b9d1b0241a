import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mimeBundleOf } from '../../src/display';
import { History } from '../../src/train/history';

test('History displays as a DataFrame table with one row per epoch (HTML and aligned text)', () => {
  const h = new History([
    { epoch: 1, train_loss: 0.5, train_acc: 0.8, val_loss: null, val_acc: null, seconds: 1.25, lr: 0.001 },
    { epoch: 2, train_loss: 0.25, train_acc: 0.9, val_loss: null, val_acc: null, seconds: 1.5, lr: 0.001 },
  ]);
  const bundle = mimeBundleOf(h);
  assert.match(bundle['text/plain'], /shape: \(2, 7\)/);
  assert.match(bundle['text/plain'], /epoch.*train_loss.*train_acc.*val_loss.*val_acc.*seconds.*lr/);
  const html = bundle['text/html'] as string;
  assert.equal(html.split('<tr>').length - 1, 3, 'header + 2 rows');
  assert.deepEqual(h.toDataFrame().getColumn('train_loss').toArray(), [0.5, 0.25]);
  assert.deepEqual(h.metric('val_acc'), [null, null]);
});
