/**
 * The "failing before" half of the kernel's fixes: the same jupyter_client driver as protocol.test.ts, run against
 * plain tslab 1.0.22 (its own `tslab kernel` command, no lessonkit code), shows each numbered problem of the kernel
 * issue. If a tslab release fixes one, this test says so, and the matching Porting note can go.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { driveKernel, jupyterMissing, ofType, REPO_ROOT, type Exchange } from './support';
const status = (x: Exchange) => (x.reply === 'timeout' ? 'timeout' : x.reply.status);

/** A kernelspec that starts tslab itself, in a temporary JUPYTER_PATH. */
function plainTslabKernelspec(): string {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tslab-plain-'));
  const dir = path.join(prefix, 'kernels', 'tslab-plain');
  fs.mkdirSync(dir, { recursive: true });
  const tslab = path.join(REPO_ROOT, 'node_modules', 'tslab', 'bin', 'tslab');
  fs.writeFileSync(
    path.join(dir, 'kernel.json'),
    JSON.stringify({
      argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
      display_name: 'plain tslab',
      language: 'typescript',
    }),
  );
  return prefix;
}

const missing = jupyterMissing();

describe(
  'plain tslab 1.0.22 has the faults the lesson kernel fixes',
  { skip: missing && `SKIPPED: ${missing}` },
  () => {
    let s: Record<string, any>;

    before(() => {
      s = driveKernel('tslab-plain', plainTslabKernelspec()).session;
    });

    it('(1) no execute_input on iopub (so nbclient records no execution counts)', () => {
      const counts = s.counts as Exchange[];
      assert.deepEqual(
        counts.flatMap((x) => ofType(x, 'execute_input')),
        [],
      );
    });

    it('(2) an exception arrives as stderr text, not as an error message', () => {
      const x = s.errors.throw as Exchange;
      assert.deepEqual(ofType(x, 'error'), []);
      assert.ok(
        ofType(x, 'stream').some((m) => /boom/.test(m.content.text)),
        'the error text is on a stream',
      );
    });

    it('(3) after an error, a request with stop_on_error false is aborted anyway', () => {
      const [, d, e] = s.stop_on_error_false as Exchange[];
      assert.notEqual(status(d), 'ok');
      assert.notEqual(status(e), 'ok');
    });

    it('(5) a value is printed to stdout, never sent as execute_result', () => {
      const all = Object.values(s.results as Record<string, Exchange>);
      assert.deepEqual(
        all.flatMap((x) => ofType(x, 'execute_result')),
        [],
      );
    });
  },
);
