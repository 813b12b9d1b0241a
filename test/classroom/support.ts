/**
 * The class test's parts: finding JupyterHub and nbgrader, starting the hub from classroom/jupyterhub_config.py on
 * loopback, its REST API, a Jupyter kernel client over the server's websocket, and memory / CPU of a process tree
 * read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const PYTHON = process.env.LESSONKIT_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const HUB_CONFIG = path.join(REPO_ROOT, 'classroom', 'jupyterhub_config.py');
/**
 * The Python that runs nbgrader: LESSONKIT_NBGRADER_PYTHON, else the project's (nbgrader installed into .venv). Set it
 * to use an nbgrader installed in another environment; the lesson kernel is then still found in the project's
 * environment (see nbgraderEnv).
 */
export const NBGRADER_PYTHON = process.env.LESSONKIT_NBGRADER_PYTHON || PYTHON;
/** Why nbgrader cannot run here (it is installed separately: this project's pip mirror and Debian have none), or undefined. */
export function nbgraderMissing(): string | undefined {
  const r = spawnSync(NBGRADER_PYTHON, ['-c', 'import nbgrader'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : `nbgrader is not installed in ${NBGRADER_PYTHON} (the offline pip mirror and Debian have no nbgrader; pip install 'nbgrader>=0.9,<0.10' where an index has it, or point LESSONKIT_NBGRADER_PYTHON at a Python that has it)`;
}
/**
 * The environment nbgrader runs in: its own Python's scripts first on PATH (it runs `alembic`), and the project's
 * Jupyter data folder on JUPYTER_PATH (after any JUPYTER_PATH already set), so that autograding finds the lesson
 * kernel's kernelspec when nbgrader lives in another environment than the kernel.
 */
export function nbgraderEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const projectData = path.join(path.dirname(path.dirname(PYTHON)), 'share', 'jupyter');
  return {
    ...process.env,
    PATH: `${path.dirname(NBGRADER_PYTHON)}${path.delimiter}${process.env.PATH ?? ''}`,
    JUPYTER_PATH: [process.env.JUPYTER_PATH, projectData].filter(Boolean).join(path.delimiter),
    ...env,
  };
}
export const PROXY = path.join(REPO_ROOT, 'node_modules', '.bin', 'configurable-http-proxy');

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** The jupyterhub command: CLASSROOM_JUPYTERHUB, else the one in .venv, else the one on PATH (e.g. Debian's). */
export function findJupyterhub(): string | undefined {
  const named = process.env.CLASSROOM_JUPYTERHUB;
  if (named) return fs.existsSync(named) ? named : undefined;
  const venv = path.join(path.dirname(PYTHON), 'jupyterhub');
  return fs.existsSync(venv) ? venv : which('jupyterhub');
}

/** Why the class test cannot run here, or undefined when it can. */
export function classroomMissing(): string | undefined {
  if (process.platform !== 'linux')
    return `the class test reads process memory from /proc (Linux only; this is ${process.platform})`;
  if (!fs.existsSync(PYTHON)) return `no Python at ${PYTHON} (run npm run setup)`;
  const hub = findJupyterhub();
  if (!hub)
    return 'jupyterhub is not installed (Debian/Ubuntu: apt-get install jupyterhub; or pip install jupyterhub into .venv where the index has it)';
  if (!fs.existsSync(PROXY)) return `configurable-http-proxy is missing at ${PROXY} (npm ci)`;
  const probe = spawnSync(PYTHON, ['-c', 'import jupyterlab'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `JupyterLab is missing in ${PYTHON} (npm run setup installs environment.yml's pip list): ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Hub {
  url: string;
  token: string;
  password: string;
  dir: string;
  log: string;
  process: ChildProcess;
  memLimit: number;
  threads: string;
}

/** Starts JupyterHub with the repository's config, state in `dir`, on free loopback ports; waits for its API. */
export async function startHub(
  dir: string,
  learners: string[],
  options: { memLimit: number; threads: string },
): Promise<Hub> {
  const hubCmd = findJupyterhub();
  if (!hubCmd) throw new Error('jupyterhub not found');
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = crypto.randomBytes(24).toString('hex');
  const password = crypto.randomBytes(9).toString('base64url');
  const log = path.join(dir, 'jupyterhub.log');
  const out = fs.openSync(log, 'a');
  const child = spawn(hubCmd, ['-f', HUB_CONFIG], {
    cwd: dir,
    detached: true, // its own process group: the hub, the proxy and the learners' servers stop together
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      CLASSROOM_DIR: dir,
      CLASSROOM_PORT: String(port),
      CLASSROOM_HUB_PORT: String(hubPort),
      CLASSROOM_PROXY_API_PORT: String(apiPort),
      CLASSROOM_LEARNERS: learners.join(','),
      CLASSROOM_API_TOKEN: token,
      CLASSROOM_PASSWORD: password,
      CLASSROOM_MEM_LIMIT: String(options.memLimit),
      CLASSROOM_TF_THREADS: options.threads,
      CLASSROOM_PYTHON: PYTHON,
    },
  });
  fs.closeSync(out);
  const hub: Hub = { url: `http://127.0.0.1:${port}`, token, password, dir, log, process: child, ...options };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyterhub exited with ${child.exitCode}:\n${tail(log)}`);
    try {
      const r = await fetch(`${hub.url}/hub/api/`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return hub;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jupyterhub did not answer within 60 s:\n${tail(log)}`);
    await sleep(300);
  }
}

export function tail(file: string, chars = 4000): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

/** A request to the hub's or a learner server's REST API with the admin service token; JSON in and out. */
export async function api(
  hub: Hub,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const r = await fetch(`${hub.url}${urlPath}`, {
    method,
    headers: {
      Authorization: `token ${hub.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: any = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (an HTML error page)
  }
  return { status: r.status, json };
}

/** Stops the hub's process group and waits until the hub has exited. */
export async function stopHub(hub: Hub): Promise<void> {
  if (hub.process.exitCode !== null || hub.process.signalCode !== null) return;
  const exited = new Promise<void>((r) => hub.process.once('exit', () => r()));
  try {
    process.kill(-hub.process.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-hub.process.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

/** Whether a process still runs (a zombie, exited and waiting for its parent to reap it, does not). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs, up to `ms`; returns those still running. */
export async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await sleep(200);
  return pids.filter(alive);
}

// --- /proc: a process tree's memory and CPU ---------------------------------------------------------------------
const PAGE = 4096;
const TICKS = 100; // USER_HZ on Linux

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

/** The pid and all its descendants. */
export function processTree(pid: number): number[] {
  const kids = children();
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/**
 * Resident memory (bytes) and CPU time (user + system seconds, children that exited included) of a tree, and the
 * largest data segment (VmData, what RLIMIT_DATA limits) of any one process in it.
 */
export function treeUsage(pid: number): { rss: number; cpuSeconds: number; maxData: number; pids: number[] } {
  let rss = 0;
  let ticks = 0;
  let maxData = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      const statm = fs.readFileSync(`/proc/${p}/statm`, 'utf8').split(' ');
      rss += Number(statm[1]) * PAGE;
      maxData = Math.max(maxData, Number(statm[5]) * PAGE);
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').slice(0).split(') ')[1].split(' ');
      // fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited meanwhile
    }
  }
  return { rss, cpuSeconds: ticks / TICKS, maxData, pids };
}

/** Samples a tree's RSS every `ms` until stopped; keeps the peak. */
export function rssSampler(
  pid: number,
  ms = 200,
): { stop: () => { peakRss: number; cpuSeconds: number; peakData: number } } {
  let peak = 0;
  let cpu = 0;
  let data = 0;
  const sample = () => {
    const u = treeUsage(pid);
    peak = Math.max(peak, u.rss);
    cpu = Math.max(cpu, u.cpuSeconds);
    data = Math.max(data, u.maxData);
  };
  sample();
  const timer = setInterval(sample, ms);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      return { peakRss: peak, cpuSeconds: cpu, peakData: data };
    },
  };
}

// --- A Jupyter kernel over the server's websocket --------------------------------------------------------------
export interface CellRun {
  status: string;
  outputs: { msg_type: string; content: any }[];
}

/** A kernel client on /api/kernels/<id>/channels (the JSON websocket protocol JupyterLab speaks). */
export class KernelSocket {
  private ws: WebSocket;
  private session = crypto.randomUUID();
  private pending = new Map<
    string,
    { outputs: CellRun['outputs']; reply?: any; idle: boolean; resolve: (r: CellRun) => void; onOutput?: () => void }
  >();
  readonly opened: Promise<void>;

  constructor(url: string, token: string) {
    this.ws = new WebSocket(`${url}?session_id=${this.session}`, { headers: { Authorization: `token ${token}` } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => this.onMessage(JSON.parse(String(data))));
  }

  private onMessage(msg: any): void {
    const parent = msg.parent_header?.msg_id;
    const p = parent && this.pending.get(parent);
    if (!p) return;
    if (msg.channel === 'shell' && msg.header.msg_type === 'execute_reply') p.reply = msg.content;
    if (msg.channel === 'iopub') {
      const t = msg.header.msg_type;
      if (t === 'status' && msg.content.execution_state === 'idle') p.idle = true;
      if (['stream', 'display_data', 'execute_result', 'error', 'update_display_data'].includes(t)) {
        p.outputs.push({ msg_type: t, content: msg.content });
        p.onOutput?.();
        p.onOutput = undefined;
      }
    }
    if (p.reply && p.idle) {
      this.pending.delete(parent);
      p.resolve({ status: p.reply.status, outputs: p.outputs });
    }
  }

  /** Runs code; resolves with the reply's status and the outputs once the kernel is idle again. */
  execute(code: string, onFirstOutput?: () => void, timeoutMs = 120_000): Promise<CellRun> {
    const msgId = crypto.randomUUID();
    return new Promise<CellRun>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`no reply within ${timeoutMs / 1000} s to: ${code.slice(0, 80)}`));
      }, timeoutMs);
      this.pending.set(msgId, {
        outputs: [],
        idle: false,
        onOutput: onFirstOutput,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.ws.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            msg_type: 'execute_request',
            username: 'class-test',
            session: this.session,
            date: new Date().toISOString(),
            version: '5.3',
          },
          parent_header: {},
          metadata: {},
          content: {
            code,
            silent: false,
            store_history: true,
            user_expressions: {},
            allow_stdin: false,
            stop_on_error: true,
          },
          channel: 'shell',
          buffers: [],
        }),
      );
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** The text of a cell's stream outputs. */
export function streamText(run: CellRun): string {
  return run.outputs
    .filter((o) => o.msg_type === 'stream')
    .map((o) => o.content.text)
    .join('');
}

/** Runs `python -m nbgrader ...` with NBGRADER_PYTHON; resolves with its log, rejects with it when it fails. */
export function nbgrader(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NBGRADER_PYTHON, ['-m', 'nbgrader', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: nbgraderEnv({ TF_CPP_MIN_LOG_LEVEL: '2', ...env }),
    });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      console.log(`# nbgrader ${args[0]}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code === 0) resolve(log);
      else reject(new Error(`nbgrader ${args.join(' ')} exited with ${code ?? signal}:\n${log.slice(-4000)}`));
    });
  });
}
