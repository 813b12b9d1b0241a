#!/usr/bin/env node
// @ts-check
// A class on this machine: JupyterHub with classroom/jupyterhub_config.py, one JupyterLab per learner (see
// docs/classroom.md). Also runs nbgrader in the course folder classroom/.
//
//   npm run classroom                         start the hub on http://127.0.0.1:8000 (Ctrl-C stops it and every server)
//   npm run classroom -- --learners a,b,c     the class list (default learner1,learner2,learner3)
//   npm run classroom -- --port 8000 --ip 127.0.0.1
//   npm run nbgrader -- generate_assignment 03-recurrent    nbgrader, run in classroom/ with the lesson kit's settings
//
// Settings (environment variables, read by the hub config): CLASSROOM_PASSWORD (default: a new random one, printed),
// CLASSROOM_MEM_LIMIT (6G), CLASSROOM_TF_THREADS (1), CLASSROOM_KERNEL_IDLE (1800 s), CLASSROOM_SERVER_IDLE (3600 s),
// CLASSROOM_CULL_INTERVAL (60 s), CLASSROOM_DIR (build/classroom), CLASSROOM_JUPYTERHUB (the jupyterhub command).
// LESSONKIT_NBGRADER_PYTHON: the Python that runs nbgrader, when it is installed in another environment than .venv.
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './paths.mjs';

const PYTHON = process.env.LESSONKIT_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python');
const CONFIG = path.join(ROOT, 'classroom', 'jupyterhub_config.py');
const NBGRADER_PYTHON = process.env.LESSONKIT_NBGRADER_PYTHON || PYTHON;

/**
 * @param {string} msg
 * @returns {never}
 */
function fail(msg) {
  console.error(`[classroom] ${msg}`);
  process.exit(1);
}

/**
 * The first `cmd` on PATH, or undefined.
 * @param {string} cmd
 */
function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

/**
 * nbgrader (installed in the project's Python environment, or in the one LESSONKIT_NBGRADER_PYTHON names) with the
 * course folder classroom/.
 * @param {string[]} args
 */
function runNbgrader(args) {
  const probe = spawnSync(NBGRADER_PYTHON, ['-c', 'import nbgrader'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    fail(
      `nbgrader is not installed in ${NBGRADER_PYTHON}: run \`${path.dirname(NBGRADER_PYTHON)}/pip install 'nbgrader>=0.9,<0.10'\` (it needs an index that has it), or set LESSONKIT_NBGRADER_PYTHON to a Python that has it.`,
    );
  }
  const env = { ...process.env };
  env.PATH = `${path.dirname(NBGRADER_PYTHON)}${path.delimiter}${env.PATH ?? ''}`; // nbgrader runs `alembic`
  // Autograding starts the lesson kernel: its kernelspec is in the project's environment, found from another one too.
  const projectData = path.join(path.dirname(path.dirname(PYTHON)), 'share', 'jupyter');
  env.JUPYTER_PATH = [env.JUPYTER_PATH, projectData].filter(Boolean).join(path.delimiter);
  const r = spawnSync(NBGRADER_PYTHON, ['-m', 'nbgrader', ...args], {
    cwd: path.join(ROOT, 'classroom'),
    stdio: 'inherit',
    env,
  });
  process.exit(r.status ?? 1);
}

/** @param {string[]} argv */
function startHub(argv) {
  const { values: args } = parseArgs({
    args: argv,
    options: { ip: { type: 'string' }, port: { type: 'string' }, learners: { type: 'string' } },
  });
  if (!fs.existsSync(PYTHON)) fail(`no Python at ${PYTHON}: run \`npm run setup\` first.`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'kernel', 'main.js')))
    fail('the lesson kernel is not built: run `npm run setup` first.');
  const hub =
    process.env.CLASSROOM_JUPYTERHUB ??
    [path.join(path.dirname(PYTHON), 'jupyterhub')].find((p) => fs.existsSync(p)) ??
    which('jupyterhub');
  if (!hub) {
    fail(
      'jupyterhub is not installed. On Debian/Ubuntu: `apt-get install jupyterhub` (what CI does); elsewhere ' +
        '`.venv/bin/pip install jupyterhub` or `conda install -c conda-forge jupyterhub`. Then run this again.',
    );
  }
  const proxy = path.join(ROOT, 'node_modules', '.bin', 'configurable-http-proxy');
  if (!fs.existsSync(proxy)) fail(`configurable-http-proxy is missing (${proxy}): run \`npm run setup\`.`);

  const ip = args.ip ?? process.env.CLASSROOM_IP ?? '127.0.0.1';
  const port = args.port ?? process.env.CLASSROOM_PORT ?? '8000';
  const learners = args.learners ?? process.env.CLASSROOM_LEARNERS ?? 'learner1,learner2,learner3';
  const admins = process.env.CLASSROOM_ADMINS ?? 'instructor';
  const password = process.env.CLASSROOM_PASSWORD || crypto.randomBytes(6).toString('base64url');
  const dir = process.env.CLASSROOM_DIR ?? path.join(ROOT, 'build', 'classroom');
  fs.mkdirSync(dir, { recursive: true });

  const env = {
    ...process.env,
    CLASSROOM_IP: ip,
    CLASSROOM_PORT: port,
    CLASSROOM_LEARNERS: learners,
    CLASSROOM_ADMINS: admins,
    CLASSROOM_PASSWORD: password,
    CLASSROOM_DIR: dir,
    CLASSROOM_PYTHON: PYTHON,
  };
  const child = spawn(hub, ['-f', CONFIG], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  const host = ip === '0.0.0.0' || ip === '' ? '127.0.0.1' : ip;
  let announced = false;
  const announce = () => {
    if (announced) return;
    announced = true;
    console.log('');
    console.log(`[classroom] JupyterHub is running: http://${host}:${port}/`);
    console.log(`[classroom] Learners: ${learners.split(',').join(', ')}; instructor (admin): ${admins}`);
    console.log(`[classroom] Password for every account: ${password}   (set CLASSROOM_PASSWORD to choose one)`);
    console.log(
      '[classroom] Each learner gets JupyterLab with the lessons in ~/lessons and the "TypeScript (lessonkit)" kernel.',
    );
    console.log(
      `[classroom] Hub log: ${path.join(dir, 'jupyterhub.log')}. Ctrl-C stops the hub and every learner's server.`,
    );
    console.log('');
  };
  const log = fs.createWriteStream(path.join(dir, 'jupyterhub.log'), { flags: 'a' });
  const watch = (/** @type {import('node:stream').Readable} */ stream) =>
    stream.on('data', (/** @type {Buffer} */ chunk) => {
      log.write(chunk);
      const text = String(chunk);
      if (/JupyterHub is now running/.test(text)) announce();
      if (/\[E |\[C |Traceback|Error/.test(text) && !/absl|oneDNN/.test(text)) process.stderr.write(text);
    });
  watch(child.stdout);
  watch(child.stderr);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    console.log(`[classroom] JupyterHub stopped (${signal ?? `exit ${code}`}).`);
    process.exit(code ?? 0);
  });
}

const args = process.argv.slice(2);
if (args[0] === 'nbgrader') runNbgrader(args.slice(1));
else startHub(args);
