#!/usr/bin/env node
// @ts-check
// Sets up a fresh clone: npm packages, the Jupyter-side Python environment, the native TensorFlow binding,
// the TypeScript build, and the lesson kernel. Every step is skipped when nothing it depends on changed,
// and every step says what it did. Uses only Node built-ins, so it runs before `node_modules` exists.
//
// Modes:
//   node scripts/setup.mjs          a learner's set-up: the Python packages of environment.yml (Jupyter, nbconvert,
//                                   plotly, TensorBoard), the binding, the build, the kernel (`npm start`)
//   node scripts/setup.mjs --dev    also the development list, requirements-dev.txt (torch, torchvision,
//                                   tensorflow-cpu, safetensors: the parity tests and the benchmarks' peers;
//                                   `npm test`, `npm run bench`)
//
// Settings (environment variables; docs/settings.md lists them all):
//   LESSONKIT_TF_SOURCE  wheel | download | dir   where libtensorflow comes from (default: wheel on Linux x86-64,
//                        download elsewhere or for the GPU engine; dir when LESSONKIT_TF_DIR is set). `wheel` uses
//                        the tensorflow-cpu package already in the Python environment (a developer's), else
//                        downloads its wheel once and unpacks only the C library and the headers the binding needs
//   LESSONKIT_TF_DIR     a libtensorflow folder (lib/ + include/, or an unpacked tensorflow wheel's tensorflow/)
//   LESSONKIT_DEVICE     auto | cpu | gpu   gpu builds @tensorflow/tfjs-node-gpu's binding (default: the CPU one)
//   LESSONKIT_PYTHON_ENV auto | conda | venv | none   where Jupyter comes from (default auto)
//   LESSONKIT_BASE_PYTHON the Python used to create .venv (default python3)
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyBindingPatch, bindingPatchHash } from './patches/tfjs-node-functions.mjs';
import { ROOT } from './paths.mjs';
import { setting } from './settings.mjs';

const TF_WHEEL = { name: 'tensorflow-cpu', version: '2.21.0' };
const DEPS = path.join(ROOT, '.deps');
const VENV = path.join(ROOT, '.venv');
const DEV_REQUIREMENTS = path.join(ROOT, 'requirements-dev.txt');
const { values: flags } = parseArgs({ options: { quiet: { type: 'boolean' }, dev: { type: 'boolean' } } });
const quiet = flags.quiet === true;
const dev = flags.dev === true;
const started = Date.now();
/** @type {string[]} */
const summary = [];

/** @param {string} msg */
function log(msg) {
  if (!quiet) console.log(`[setup] ${msg}`);
}
/**
 * Records what a step did (for the closing summary) and says it.
 * @param {string} step
 * @param {string} what
 */
function done(step, what) {
  summary.push(`${step}: ${what}`);
  log(`${step}: ${what}`);
}
/**
 * @param {string} msg
 * @returns {never}
 */
function fail(msg) {
  console.error(`[setup] FAILED: ${msg}`);
  process.exit(1);
}
/**
 * Runs a command (output shown unless --quiet) and fails setup when it fails.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [opts]
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`\`${cmd} ${args.join(' ')}\` exited with ${r.status}`);
  }
  return r;
}
/**
 * A command's trimmed stdout, or undefined when it fails.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [opts]
 * @returns {string | undefined}
 */
function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  return r.status === 0 ? String(r.stdout).trim() : undefined;
}
/** @param {...unknown} parts */
function hashOf(...parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : JSON.stringify(p));
  return h.digest('hex').slice(0, 16);
}
/**
 * @param {string} file
 * @returns {any} the parsed JSON, or undefined when it is missing or unreadable
 */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
const npmCmd = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * pip retries an unreachable index five times with back-off, which on an offline machine with a local mirror costs
 * tens of minutes over a few hundred requests. One retry unless PIP_RETRIES says otherwise.
 */
function pipRetries() {
  return process.env.PIP_RETRIES ? [] : ['--retries', '1'];
}

// 1. npm packages ---------------------------------------------------------------------------------------------
/**
 * Deletes the source maps shipped in node_modules/@tensorflow/ (about 190 MiB of a 700 MiB node_modules): nothing
 * reads them (Node runs without --enable-source-maps, and a browser fetches one only when its developer tools are
 * open). Only right after `npm ci`, so a checkout whose node_modules is shared or linked is never touched; deleting a
 * file (unlink) never changes another link to it. Returns the bytes freed.
 */
function pruneSourceMaps() {
  const top = path.join(ROOT, 'node_modules', '@tensorflow');
  if (!fs.existsSync(top)) return 0;
  let freed = 0;
  for (const rel of fs.readdirSync(top, { recursive: true }).map(String)) {
    if (!rel.endsWith('.js.map') && !rel.endsWith('.mjs.map')) continue;
    const file = path.join(top, rel);
    const st = fs.lstatSync(file);
    if (!st.isFile()) continue;
    fs.rmSync(file);
    freed += st.size;
  }
  return freed;
}

function npmPackages() {
  const lock = fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8');
  const stampFile = path.join(ROOT, 'node_modules', '.lessonkit-npm.json');
  const want = hashOf(lock, process.version);
  if (readJson(stampFile)?.hash === want) {
    done('npm packages', 'up to date (package-lock.json unchanged)');
  } else {
    // .npmrc sets ignore-scripts: tfjs-node's own install script would download libtensorflow and fails offline.
    run(npmCmd, ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
    const pruned = pruneSourceMaps();
    writeJsonAtomic(stampFile, { hash: want });
    done(
      'npm packages',
      `installed with \`npm ci --ignore-scripts\`; removed ${(pruned / 2 ** 20).toFixed(0)} MiB of TensorFlow.js source maps`,
    );
  }
  // nodejs-polars' platform packages declare Node >= 22, so npm skips them on Node 20; install ours explicitly.
  const polars = readJson(path.join(ROOT, 'node_modules', 'nodejs-polars', 'package.json'));
  /** @type {Record<string, string>} */
  const platformPackages = {
    'linux-x64': 'linux-x64-gnu',
    'linux-arm64': 'linux-arm64-gnu',
    'darwin-x64': 'darwin-x64',
    'darwin-arm64': 'darwin-arm64',
    'win32-x64': 'win32-x64-msvc',
  };
  const platformPkg = platformPackages[`${process.platform}-${process.arch}`];
  if (polars && platformPkg) {
    const name = `nodejs-polars-${platformPkg}`;
    if (!fs.existsSync(path.join(ROOT, 'node_modules', name, 'package.json'))) {
      run(npmCmd, [
        'install',
        '--no-save',
        '--force',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `${name}@${polars.version}`,
      ]);
      done('nodejs-polars', `installed ${name}@${polars.version} (npm skips it on Node < 22)`);
    }
  }
  // Notebooks, tests and benchmarks import the library by its package name.
  const link = path.join(ROOT, 'node_modules', 'lessonkit');
  if (!fs.existsSync(path.join(link, 'package.json'))) {
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync('..', link, 'dir');
    done('library link', 'node_modules/lessonkit -> .');
  }
}

// 2. Python side (Jupyter, nbconvert, plotly, TensorBoard; with --dev, torch and tensorflow-cpu) ------------------
/** The learners' list of Jupyter-side packages: the pip section of environment.yml. */
function pipRequirements() {
  const text = fs.readFileSync(path.join(ROOT, 'environment.yml'), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*-\s*pip:\s*$/.test(l));
  if (start < 0) fail('environment.yml has no `- pip:` section');
  const reqs = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s{4,}#/.test(line)) continue; // a comment inside the list
    const m = /^\s{4,}-\s*(.+?)\s*$/.exec(line);
    if (!m) break;
    const item = m[1];
    reqs.push(/^(["']).*\1$/.test(item) ? item.slice(1, -1) : item);
  }
  return reqs;
}

/** The development list (requirements-dev.txt): the parity tests' and the benchmarks' peers. */
function devRequirements() {
  return fs
    .readFileSync(DEV_REQUIREMENTS, 'utf8')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '');
}

/**
 * Installs the development list into an environment (`--dev`), once: a stamp in the environment records it, so a
 * learner's set-up afterwards neither reinstalls nor removes it.
 * @param {string} py
 * @param {string} prefix
 */
function devPackages(py, prefix) {
  const reqs = devRequirements();
  const stampFile = path.join(prefix, '.lessonkit-pip-dev.json');
  const want = hashOf(reqs);
  if (readJson(stampFile)?.hash === want) {
    done('python dev', `up to date (${reqs.length} packages from requirements-dev.txt)`);
    return;
  }
  const t = Date.now();
  run(py, ['-m', 'pip', 'install', '--disable-pip-version-check', ...pipRetries(), ...reqs]);
  writeJsonAtomic(stampFile, { hash: want, packages: reqs });
  done(
    'python dev',
    `installed ${reqs.length} packages from requirements-dev.txt in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
}

function pythonEnv() {
  const prefix = learnerEnv();
  if (prefix && dev) devPackages(path.join(prefix, 'bin', 'python'), prefix);
  else if (prefix && fs.existsSync(path.join(prefix, '.lessonkit-pip-dev.json')))
    log('python dev: installed earlier by --dev, kept');
  else if (prefix) log('python dev: not installed (`npm test` and `npm run bench` install requirements-dev.txt)');
  return prefix;
}

function learnerEnv() {
  const mode = setting('LESSONKIT_PYTHON_ENV') ?? 'auto';
  if (mode === 'none') {
    done('python env', 'skipped (LESSONKIT_PYTHON_ENV=none)');
    return undefined;
  }
  const conda = process.env.CONDA_PREFIX;
  if ((mode === 'auto' || mode === 'conda') && conda && fs.existsSync(path.join(conda, 'bin', 'jupyter'))) {
    done('python env', `using the active conda environment ${conda} (created from environment.yml)`);
    return conda;
  }
  if (mode === 'conda')
    fail(
      'LESSONKIT_PYTHON_ENV=conda, but no conda environment with jupyter is active (conda env create -f environment.yml).',
    );
  const py = path.join(VENV, 'bin', 'python');
  if (!fs.existsSync(py)) {
    run(setting('LESSONKIT_BASE_PYTHON') ?? 'python3', ['-m', 'venv', VENV]);
    log(`created ${path.relative(ROOT, VENV)}`);
  }
  const reqs = pipRequirements();
  const stampFile = path.join(VENV, '.lessonkit-pip.json');
  const want = hashOf(reqs);
  if (readJson(stampFile)?.hash === want) {
    done('python env', `.venv up to date (${reqs.length} packages from environment.yml)`);
    return VENV;
  }
  const t = Date.now();
  run(py, ['-m', 'pip', 'install', '--disable-pip-version-check', ...pipRetries(), ...reqs]);
  writeJsonAtomic(stampFile, { hash: want, packages: reqs });
  done(
    'python env',
    `installed ${reqs.length} packages from environment.yml into .venv in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  return VENV;
}

// 3. Native TensorFlow binding -------------------------------------------------------------------------------
function tfSource() {
  const explicit = setting('LESSONKIT_TF_SOURCE');
  if (explicit) {
    if (!['wheel', 'download', 'dir'].includes(explicit))
      fail(`LESSONKIT_TF_SOURCE must be wheel, download or dir; found "${explicit}"`);
    return explicit;
  }
  if (setting('LESSONKIT_TF_DIR')) return 'dir';
  // The tensorflow-cpu wheel has no CUDA: the GPU engine comes from tfjs-node's download unless a folder is named.
  if (bindingEngine() === 'gpu') return 'download';
  return process.platform === 'linux' && process.arch === 'x64' ? 'wheel' : 'download';
}

/** @typedef {{ lib: string, include: string, libtf: string, framework: string }} LibDir */

/**
 * The libraries and headers of a libtensorflow folder in either layout, or fails saying what is missing.
 * @param {string} dir
 * @returns {LibDir}
 */
function describeLibDir(dir) {
  const wheelLayout = { lib: dir, include: path.join(dir, 'include'), cc: path.join(dir, 'libtensorflow_cc.so.2') };
  if (fs.existsSync(wheelLayout.cc) && fs.existsSync(path.join(dir, 'libtensorflow_framework.so.2'))) {
    return {
      lib: dir,
      include: wheelLayout.include,
      libtf: wheelLayout.cc,
      framework: path.join(dir, 'libtensorflow_framework.so.2'),
    };
  }
  const lib = path.join(dir, 'lib');
  const libtf = ['libtensorflow.so.2', 'libtensorflow.so'].map((n) => path.join(lib, n)).find((f) => fs.existsSync(f));
  const framework = ['libtensorflow_framework.so.2', 'libtensorflow_framework.so']
    .map((n) => path.join(lib, n))
    .find((f) => fs.existsSync(f));
  if (libtf && framework && fs.existsSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'))) {
    return { lib, include: path.join(dir, 'include'), libtf, framework };
  }
  fail(
    `LESSONKIT_TF_DIR=${dir} is not a libtensorflow folder: expected lib/libtensorflow.so.2, lib/libtensorflow_framework.so.2 ` +
      'and include/tensorflow/c/c_api.h (the official archive), or libtensorflow_cc.so.2, libtensorflow_framework.so.2 and ' +
      "include/ (a tensorflow wheel's tensorflow/ folder).",
  );
}

/**
 * The tensorflow package already installed in the Python environment (a developer's, from requirements-dev.txt), when
 * it is the wheel's version and holds the C library and headers: the binding links against it, and nothing is
 * downloaded or unpacked. Found without importing TensorFlow.
 * @param {string} python
 * @returns {string | undefined} its folder (a wheel's tensorflow/)
 */
function envTensorflow(python) {
  const probe = [
    'import importlib.metadata as md, importlib.util as u, json',
    'v = None',
    "for d in ('tensorflow-cpu', 'tensorflow'):",
    '    try: v = md.version(d); break',
    '    except md.PackageNotFoundError: pass',
    "s = u.find_spec('tensorflow') if v else None",
    "print(json.dumps({'version': v, 'dir': list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else None}))",
  ].join('\n');
  const out = fs.existsSync(python) ? capture(python, ['-c', probe]) : undefined;
  const info = out ? JSON.parse(out.split('\n').pop() ?? '{}') : {};
  if (info.version !== TF_WHEEL.version || !info.dir) return undefined;
  const dir = info.dir;
  const ok = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h'].every((f) =>
    fs.existsSync(path.join(dir, f)),
  );
  return ok ? dir : undefined;
}

/**
 * The headers the binding compiles against (tensorflow/c/c_api.h, eager/c_api.h and what they include; measured with
 * `g++ -MM` on tfjs-node's binding, patched), as prefixes of the wheel's `tensorflow/include/` paths. The other
 * 290 MB of headers are not unpacked.
 */
const BINDING_HEADERS = [
  'tensorflow/c/',
  'tensorflow/core/platform/ctstring',
  'tsl/platform/ctstring',
  'tsl/c/',
  'xla/tsl/c/',
];

/**
 * The C library from the tensorflow-cpu wheel: downloaded once through pip (the machine's index or mirror), and
 * only the two libraries and the headers the binding needs unpacked into .deps/ (about 0.8 GB instead of 1.1 GB);
 * the wheel itself is deleted. A developer's environment that already holds the same TensorFlow is used instead.
 * @param {string} python
 * @returns {LibDir}
 */
function libFromWheel(python) {
  const target = path.join(DEPS, `libtensorflow-${TF_WHEEL.version}-cpu`);
  const inEnv = envTensorflow(python);
  if (inEnv) {
    log(`libtensorflow: using ${TF_WHEEL.name} ${TF_WHEEL.version} from the Python environment (${inEnv})`);
    if (fs.existsSync(target)) {
      // Nothing links against the unpacked copy any more once the binding is rebuilt against the environment's.
      fs.rmSync(target, { recursive: true, force: true });
      log(`libtensorflow: removed ${path.relative(ROOT, target)} (the environment's copy is used instead)`);
    }
    return describeLibDir(inEnv);
  }
  const marker = path.join(target, '.complete');
  if (fs.existsSync(marker)) {
    log(`libtensorflow: reusing ${path.relative(ROOT, target)}`);
    return describeLibDir(target);
  }
  const wheels = path.join(DEPS, 'wheels');
  fs.mkdirSync(wheels, { recursive: true });
  const spec = `${TF_WHEEL.name}==${TF_WHEEL.version}`;
  log(`libtensorflow: pip download ${spec} (about 270 MB, once)`);
  run(python, [
    '-m',
    'pip',
    'download',
    '--disable-pip-version-check',
    ...pipRetries(),
    '--no-deps',
    '--only-binary=:all:',
    '-d',
    wheels,
    spec,
  ]);
  const wheel = fs
    .readdirSync(wheels)
    .find((f) => f.startsWith(`${TF_WHEEL.name.replace('-', '_')}-${TF_WHEEL.version}-`) && f.endsWith('.whl'));
  if (!wheel) fail(`pip download ${spec} produced no wheel in ${wheels}`);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  // Unpack only the C library and the headers the binding includes (the wheel's Python part is not needed).
  const extract = [
    'import sys, zipfile, os, shutil, json',
    'z = zipfile.ZipFile(sys.argv[1]); out = sys.argv[2]; headers = tuple(json.loads(sys.argv[3]))',
    "keep = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')",
    "inc = 'tensorflow/include/'",
    'for n in z.namelist():',
    "    if n.endswith('/'): continue",
    '    if n in keep or (n.startswith(inc) and n[len(inc):].startswith(headers)):',
    "        dest = os.path.join(out, n[len('tensorflow/'):])",
    '        os.makedirs(os.path.dirname(dest), exist_ok=True)',
    "        with z.open(n) as src, open(dest, 'wb') as dst: shutil.copyfileobj(src, dst, 1 << 20)",
  ].join('\n');
  run(python, ['-c', extract, path.join(wheels, wheel), tmp, JSON.stringify(BINDING_HEADERS)]);
  // The wheel's libraries keep their full symbol tables (about 200 MB of .symtab/.strtab); the dynamic linker reads
  // only .dynsym, so the unpacked copy is stripped where binutils' strip is present (the build then checks it loads).
  const libs = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'].map((n) => path.join(tmp, n));
  const before = libs.reduce((n, f) => n + fs.statSync(f).size, 0);
  if (capture('strip', ['--version']) !== undefined) {
    for (const f of libs) run('strip', ['--strip-unneeded', f]);
    const after = libs.reduce((n, f) => n + fs.statSync(f).size, 0);
    log(
      `libtensorflow: stripped symbol tables, ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  fs.writeFileSync(path.join(tmp, '.complete'), `${wheel}\n`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
  fs.rmSync(path.join(wheels, wheel), { force: true });
  done('libtensorflow', `unpacked TF ${TF_WHEEL.version} C library from ${wheel} into ${path.relative(ROOT, target)}`);
  return describeLibDir(target);
}

/**
 * Points the package's deps/ folder at a libtensorflow (names that tfjs-node's binding.gyp and rpath expect).
 * @param {string} pkgDir
 * @param {LibDir} libdir
 */
function linkDeps(pkgDir, libdir) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  // Relative links when the library is inside the checkout (.deps/ or .venv/), so a moved checkout still loads it.
  /** @param {string} target @param {string} link */
  const symlink = (target, link) => {
    const inside = !path.relative(ROOT, target).startsWith('..');
    fs.symlinkSync(inside ? path.relative(path.dirname(link), target) : target, link);
  };
  symlink(libdir.include, path.join(deps, 'include'));
  const libNames = ['libtensorflow.so', 'libtensorflow.so.2', path.basename(libdir.libtf)];
  for (const n of new Set(libNames)) symlink(libdir.libtf, path.join(deps, 'lib', n));
  for (const n of new Set([
    'libtensorflow_framework.so',
    'libtensorflow_framework.so.2',
    path.basename(libdir.framework),
  ])) {
    symlink(libdir.framework, path.join(deps, 'lib', n));
  }
}

/** Which engine's binding to build: the GPU one when LESSONKIT_DEVICE=gpu, else the CPU one. */
function bindingEngine() {
  const device = (setting('LESSONKIT_DEVICE') ?? 'auto').trim().toLowerCase();
  if (!['auto', 'cpu', 'gpu'].includes(device)) fail(`LESSONKIT_DEVICE must be auto, cpu or gpu; found "${device}"`);
  return device === 'gpu' ? 'gpu' : 'cpu';
}

/**
 * The built tfjs_binding.node of a tfjs-node package, or undefined.
 * @param {string} pkgDir
 */
function findBinding(pkgDir) {
  const libDir = path.join(pkgDir, 'lib');
  if (!fs.existsSync(libDir)) return undefined;
  for (const d of fs.readdirSync(libDir)) {
    const f = path.join(libDir, d, 'tfjs_binding.node');
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/**
 * Loads the package in a child process: `{ ok, backend, tf, gpu }`, or `{ ok: false, error }`.
 * @param {string} pkgName
 * @returns {{ ok: boolean, error?: string, tf?: string, gpu?: boolean }}
 */
function verifyEngine(pkgName) {
  const script = `const tf=require(${JSON.stringify(pkgName)});console.log(JSON.stringify({backend:tf.getBackend(),tf:tf.backend().binding.TF_Version,gpu:!!tf.backend().isUsingGpuDevice}))`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  if (r.status !== 0) return { ok: false, error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  try {
    const info = JSON.parse(/** @type {string} */ (r.stdout.trim().split('\n').pop()));
    return { ok: info.backend === 'tensorflow', ...info };
  } catch {
    return { ok: false, error: r.stdout };
  }
}

/** @param {string} python */
function nativeBinding(python) {
  const engine = bindingEngine();
  const pkgName = engine === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const pkgDir = path.join(ROOT, 'node_modules', ...pkgName.split('/'));
  if (!fs.existsSync(path.join(pkgDir, 'package.json')))
    fail(`${pkgName} is not installed (npm ci should have installed it).`);
  const source = tfSource();
  const stampFile = path.join(pkgDir, 'lib', '.lessonkit-build.json');
  const stamp = readJson(stampFile);
  // The graph-function patch (scripts/patches/tfjs-node-functions.mjs) is part of the key: a changed patch rebuilds.
  let patched = false;
  if (source !== 'download') {
    try {
      const files = applyBindingPatch(pkgDir);
      patched = true;
      if (files.length > 0) log(`patched ${files.join(', ')} (graph functions; src/engine/graph)`);
    } catch (err) {
      log(
        `graph-function patch not applied (${/** @type {Error} */ (err).message}); the graph path will fall back to eager execution`,
      );
    }
  }
  // Where the C library comes from is part of the key: a developer's environment gaining tensorflow-cpu rebuilds
  // the binding against it (and .deps/ is then removed).
  const dirLib =
    source === 'dir'
      ? describeLibDir(
          path.resolve(setting('LESSONKIT_TF_DIR') ?? fail('LESSONKIT_TF_SOURCE=dir needs LESSONKIT_TF_DIR')),
        )
      : undefined;
  const envTf = source === 'wheel' ? envTensorflow(python) : undefined;
  const libKey = dirLib ? dirLib.lib : envTf ? path.relative(ROOT, envTf) : source === 'wheel' ? 'unpacked' : null;
  const wantKey = {
    source,
    dir: libKey,
    wheel: source === 'wheel' ? TF_WHEEL : null,
    node: process.versions.modules,
    engine,
    patch: patched ? bindingPatchHash : null,
  };
  if (stamp && JSON.stringify(stamp.key) === JSON.stringify(wantKey) && findBinding(pkgDir)) {
    const check = verifyEngine(pkgName);
    if (check.ok) {
      done(
        'native binding',
        `reused the built ${pkgName} binding (TF ${check.tf}, ${check.gpu ? 'gpu' : 'cpu'}; nothing changed)`,
      );
      return;
    }
    log(`the built binding no longer loads (${check.error}); rebuilding`);
  }
  const t = Date.now();
  if (source === 'download') {
    // tfjs-node's own route: downloads libtensorflow and a prebuilt addon from Google storage (needs the internet).
    run(process.execPath, ['scripts/install.js', engine, 'download'], { cwd: pkgDir });
  } else {
    linkDeps(pkgDir, dirLib ?? libFromWheel(python));
    const env = { ...process.env };
    // Build against Node's installed headers when npm is configured for them (no header download offline).
    const nodedir = env.npm_config_nodedir ?? capture(npmCmd, ['config', 'get', 'nodedir']);
    if (nodedir && nodedir !== 'undefined' && fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h')))
      env.npm_config_nodedir = nodedir;
    const preGyp = path.join(ROOT, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
    run(process.execPath, [preGyp, 'install', '--build-from-source'], { cwd: pkgDir, env });
  }
  const check = verifyEngine(pkgName);
  if (!check.ok) fail(`${pkgName} was built but does not load: ${check.error}`);
  writeJsonAtomic(stampFile, { key: wantKey, tf: check.tf, builtAt: new Date().toISOString() });
  done(
    'native binding',
    `built ${pkgName} from ${source === 'wheel' ? `${envTf ? "the environment's" : 'the'} ${TF_WHEEL.name} ${TF_WHEEL.version}${envTf ? '' : ' wheel'}` : source} in ${((Date.now() - t) / 1000).toFixed(0)} s; backend tensorflow, TF ${check.tf}, ${check.gpu ? 'gpu' : 'cpu'}`,
  );
}

// 4. TypeScript build and the kernel -------------------------------------------------------------------------
function build() {
  const t = Date.now();
  // A clean build: tsc never deletes outputs, and a stale dist/src/models/batch-norm.js (from before a file became a
  // folder) would shadow dist/src/models/batch-norm/index.js.
  fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  done('typescript', `built dist/ in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

/** @param {string | undefined} prefix the Python environment's prefix (none: no kernelspec) */
function kernelspec(prefix) {
  if (!prefix) return;
  const installer = path.join(ROOT, 'dist', 'kernel', 'install.js');
  if (!fs.existsSync(installer)) fail(`${installer} is missing after the build`);
  run(process.execPath, [installer, 'install', '--prefix', prefix]);
  done(
    'kernel',
    `installed the lessonkit kernelspec into ${path.relative(ROOT, prefix) || prefix} (it finds this checkout even after a move; \`npm run kernel -- install --user\` for your other Jupyters)`,
  );
}

// 5. HTML export: the lesson kit's nbconvert preprocessor and template, made the default of `--to html` ----------
/**
 * Settings this step owns in `<prefix>/etc/jupyter/jupyter_config.json` (read by every Jupyter application). No
 * template is named: a template in HTMLExporter's section would outrank `--template` on the command line.
 */
const EXPORT_CONFIG = {
  HTMLExporter: {
    preprocessors: ['lessonkit_nbconvert.LessonkitHtmlPreprocessor'],
  },
};

/**
 * @param {string} from
 * @param {string} to
 */
function copyDirAtomic(from, to) {
  const tmp = `${to}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.cpSync(from, tmp, { recursive: true });
  fs.rmSync(to, { recursive: true, force: true });
  fs.renameSync(tmp, to);
}

/**
 * Whether folder `b` holds the same files with the same bytes as `a`.
 * @param {string} a
 * @param {string} b
 */
function sameTree(a, b) {
  if (!fs.existsSync(b)) return false;
  const list = (/** @type {string} */ d) => fs.readdirSync(d, { recursive: true }).map(String).sort();
  const names = list(a);
  if (names.join('\n') !== list(b).join('\n')) return false;
  return names.every((n) => {
    const fa = path.join(a, n);
    return fs.statSync(fa).isDirectory() || fs.readFileSync(fa).equals(fs.readFileSync(path.join(b, n)));
  });
}

/**
 * `jupyter nbconvert --to html` and JupyterLab's HTML export (the Jupyter server runs the same exporter) render
 * every plotly figure and formula offline: python/lessonkit_nbconvert goes on the environment's Python path (a .pth
 * file, like an editable install), its preprocessor is named for HTMLExporter in jupyter_config.json (other settings
 * there are kept), and its `lessonkit` template (fonts; the handouts use it) goes into
 * `<prefix>/share/jupyter/nbconvert/templates/`.
 */
/**
 * @param {string | undefined} prefix
 * @param {string} python
 */
function htmlExport(prefix, python) {
  if (!prefix) return;
  /** @type {string[]} */
  const changed = [];
  const site = capture(python, ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"]);
  if (!site) fail(`could not ask ${python} for its site-packages folder`);
  const pth = path.join(site, 'lessonkit.pth');
  const pthText = `${path.join(ROOT, 'python')}\n`;
  if (!fs.existsSync(pth) || fs.readFileSync(pth, 'utf8') !== pthText) {
    fs.writeFileSync(pth, pthText);
    changed.push(`${pth} -> python/`);
  }
  const templateSrc = path.join(ROOT, 'python', 'lessonkit_nbconvert', 'templates', 'lessonkit');
  const templateDst = path.join(prefix, 'share', 'jupyter', 'nbconvert', 'templates', 'lessonkit');
  if (!sameTree(templateSrc, templateDst)) {
    fs.mkdirSync(path.dirname(templateDst), { recursive: true });
    copyDirAtomic(templateSrc, templateDst);
    changed.push(`template ${path.relative(ROOT, templateDst) || templateDst}`);
  }
  const configFile = path.join(prefix, 'etc', 'jupyter', 'jupyter_config.json');
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  if (config === undefined) fail(`${configFile} is not valid JSON; fix or remove it`);
  const merged = { ...config, HTMLExporter: { ...(config.HTMLExporter ?? {}), ...EXPORT_CONFIG.HTMLExporter } };
  if (JSON.stringify(merged) !== JSON.stringify(config)) {
    writeJsonAtomic(configFile, merged);
    const keys = Object.keys(merged).filter((k) => JSON.stringify(merged[k]) !== JSON.stringify(config[k]));
    changed.push(`${path.relative(ROOT, configFile) || configFile} (${keys.join(', ')})`);
  }
  const check = capture(python, ['-c', 'import lessonkit_nbconvert, nbconvert; print(nbconvert.__version__)']);
  if (!check) fail(`${python} cannot import lessonkit_nbconvert after writing ${pth}`);
  done(
    'html export',
    changed.length
      ? `installed for nbconvert ${check}: ${changed.join('; ')}`
      : `up to date (nbconvert ${check}, preprocessor, template lessonkit)`,
  );
}

// -----------------------------------------------------------------------------------------------------------
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node >= 20 is required; found ${process.version}.`);
npmPackages();
const prefix = pythonEnv();
const python = prefix ? path.join(prefix, 'bin', 'python') : (process.env.PYTHON ?? 'python3');
nativeBinding(python);
build();
kernelspec(prefix);
htmlExport(prefix, python);
console.log(`[setup] done in ${((Date.now() - started) / 1000).toFixed(0)} s on ${os.cpus().length} cores:`);
for (const line of summary) console.log(`[setup]   ${line}`);
