/**
 * The kernelspec survives moving the checkout, and installs per user or into a prefix: a copy of the built
 * checkout (dist/ and package.json; node_modules linked) gets the kernelspec inside it (as setup puts it in .venv),
 * is moved, and the kernel still starts from the moved place and runs a cell through jupyter_client. (Before, the
 * kernelspec held the absolute path of the checkout's supervisor.js, so any move broke it.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { installKernelspec, kernelsDir, parseInstallArgs, userDataDir } from '../../kernel/install';
import { DRIVER_DIR, PYTHON, REPO_ROOT, jupyterMissing } from './support';

const missing = jupyterMissing();

/** Runs one cell in kernel `lessonkit` found on `jupyterPath`; returns the driver's JSON. */
function runCell(jupyterPath: string, cwd: string, code: string): { status: string; text: string; error?: string } {
  const r = spawnSync(PYTHON, [path.join(DRIVER_DIR, 'one_cell.py'), 'lessonkit', cwd, code], {
    encoding: 'utf8',
    env: { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_DATA_DIR: path.join(cwd, 'no-user-data') },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `one_cell.py failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

/** A copy of the built checkout: what the kernel needs at run time, with node_modules linked to this one's. */
function copyCheckout(dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'dist'), path.join(dest, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dest, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
}

test(
  'a kernelspec inside the checkout still starts the kernel after the checkout is moved',
  { skip: missing && `SKIPPED: ${missing}`, timeout: 300_000 },
  async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-move-'));
    const before = path.join(tmp, 'checkout');
    copyCheckout(before);
    const prefix = path.join(before, '.venv');
    await installKernelspec({ prefix, root: before });
    const spec = JSON.parse(
      fs.readFileSync(path.join(prefix, 'share', 'jupyter', 'kernels', 'lessonkit', 'kernel.json'), 'utf8'),
    );
    assert.ok(
      spec.argv.every((a: string) => !a.includes(before)),
      `kernel.json holds no path into the checkout: ${spec.argv}`,
    );
    const after = path.join(tmp, 'moved', 'elsewhere');
    fs.mkdirSync(path.dirname(after), { recursive: true });
    fs.renameSync(before, after);
    assert.equal(fs.existsSync(before), false);
    const out = runCell(path.join(after, '.venv', 'share', 'jupyter'), tmp, '6 * 7');
    assert.equal(out.status, 'ok', out.error);
    assert.equal(out.text, '42');
    const which = runCell(path.join(after, '.venv', 'share', 'jupyter'), tmp, 'process.argv[1]');
    assert.ok(which.text.includes(path.join('moved', 'elsewhere', 'dist', 'kernel')), which.text);
    fs.rmSync(tmp, { recursive: true, force: true });
  },
);

test(
  'a kernelspec outside a moved checkout says how to reinstall instead of failing obscurely',
  { skip: missing && `SKIPPED: ${missing}` },
  async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-gone-'));
    const dir = await installKernelspec({ prefix: path.join(tmp, 'prefix'), root: path.join(tmp, 'no-checkout') });
    const r = spawnSync(process.execPath, [path.join(dir, 'launch.js'), path.join(tmp, 'conn.json')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no built lessonkit checkout at .*no-checkout.*npm run kernel -- install --user/);
    fs.rmSync(tmp, { recursive: true, force: true });
  },
);

test('install places: --user (the default), --prefix, and one place at most', () => {
  assert.deepEqual(parseInstallArgs(['install']).options, { user: true });
  assert.deepEqual(parseInstallArgs(['install', '--user']).options, { user: true });
  assert.deepEqual(parseInstallArgs(['--prefix', '/x']).options, { prefix: '/x' });
  assert.equal(parseInstallArgs(['remove', '--user']).command, 'remove');
  assert.throws(() => parseInstallArgs(['install', '--user', '--prefix', '/x']), /choose one of/);
  assert.throws(() => parseInstallArgs(['install', '--prefix']), /--prefix needs a value/);
  assert.throws(() => parseInstallArgs(['install', '--frobnicate']), /unknown argument/);
  assert.equal(
    userDataDir({ JUPYTER_DATA_DIR: '/data/j' }),
    path.resolve('/data/j'),
    'JUPYTER_DATA_DIR wins, as in jupyter_core',
  );
  if (process.platform === 'linux') {
    assert.equal(userDataDir({ XDG_DATA_HOME: '/xdg', HOME: '/h' }), path.join('/xdg', 'jupyter'));
  }
  assert.equal(kernelsDir({ prefix: '/p' }), path.join(path.resolve('/p'), 'share', 'jupyter', 'kernels'));
});

test(
  '`npm run kernel -- install --user` installs where Jupyter looks for per-user kernels; `remove` removes it',
  { skip: missing && `SKIPPED: ${missing}`, timeout: 300_000 },
  () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-user-'));
    // (In a virtual environment, Jupyter prefers the environment's kernelspecs of the same name; not here.)
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(tmp, 'data'), JUPYTER_PREFER_ENV_PATH: '0' };
    const install = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'kernel', 'install.js'), 'install', '--user'],
      {
        encoding: 'utf8',
        env,
      },
    );
    assert.equal(install.status, 0, install.stderr);
    assert.match(install.stdout, /Installed kernelspec "lessonkit"/);
    // Jupyter itself lists it from the per-user folder.
    const list = spawnSync(PYTHON, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], { encoding: 'utf8', env });
    assert.equal(list.status, 0, list.stderr);
    const specs = JSON.parse(list.stdout).kernelspecs as Record<string, { resource_dir: string }>;
    assert.equal(specs.lessonkit?.resource_dir, path.join(tmp, 'data', 'kernels', 'lessonkit'));
    const remove = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist', 'kernel', 'install.js'), 'remove', '--user'],
      {
        encoding: 'utf8',
        env,
      },
    );
    assert.equal(remove.status, 0, remove.stderr);
    assert.equal(fs.existsSync(path.join(tmp, 'data', 'kernels', 'lessonkit')), false);
    fs.rmSync(tmp, { recursive: true, force: true });
  },
);
