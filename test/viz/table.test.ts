import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pl from 'nodejs-polars';
import { History } from '../../src/train/history';
import { escapeHtml } from '../../src/viz/html';
import { tableBundle, tableText } from '../../src/viz/table';

test('escapeHtml escapes & < > " \'', () => {
  assert.equal(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
});

test('a DataFrame as aligned text (numbers right-aligned) and as an escaped HTML table', () => {
  const df = pl.DataFrame({ name: ['cat', '<b>dog</b>'], acc: [0.912345, 1] });
  const text = tableText(df);
  assert.equal(text, ['DataFrame: 2 rows x 2 columns', 'name           acc', '----------  ------', 'cat         0.9123', '<b>dog</b>       1'].join('\n'));
  const html = tableBundle(df)['text/html'] as string;
  assert.match(html, /<td>&lt;b&gt;dog&lt;\/b&gt;<\/td>/);
  assert.doesNotMatch(html, /<b>dog/);
});

test('long frames show head and tail around an ellipsis row', () => {
  const df = pl.DataFrame({ i: Array.from({ length: 100 }, (_, k) => k) });
  const lines = tableText(df, { maxRows: 4 }).split('\n');
  assert.deepEqual(lines.slice(3).map((l) => l.trim()), ['0', '1', '…', '98', '99']);
});

test('History displays as a table with one row per epoch', () => {
  const h = new History([{ epoch: 1, train_loss: 0.5, train_acc: 0.8, val_loss: null, val_acc: null, seconds: 1.25, lr: 0.001 }]);
  const text = h.toMimeBundle()['text/plain'];
  assert.match(text, /DataFrame: 1 rows x 7 columns/);
  assert.match(text, /epoch +train_loss +train_acc +val_loss +val_acc +seconds +lr/);
  assert.match(text, /null/);
});
