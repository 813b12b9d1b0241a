/**
 * A JupyterLab server for tests: the project's `jupyter lab` on 127.0.0.1, a free port, a random token, private
 * config/runtime/settings folders, and a root folder of the test's choosing. It runs in its own process group, so
 * `stop()` ends the server and every kernel it started; `stop()` is also registered for process exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './tools';
import { setting } from '../../src/io/settings';

export interface LabServer {
  url: string;
  token: string;
  /** The last lines the server logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface LabOptions {
  /** The `jupyter` command. */
  jupyter: string;
  /** The folder JupyterLab serves. */
  rootDir: string;
  /** Milliseconds to wait for the server to answer. Default: 120000. */
  startTimeoutMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The project's `jupyter` (`.venv/bin/jupyter` from `npm run setup`), else `JUPYTER`, else the one on PATH. */
export function jupyter(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'jupyter');
  return setting('LESSONKIT_JUPYTER') ?? (fs.existsSync(venv) ? venv : 'jupyter');
}

export async function startLab(options: LabOptions): Promise<LabServer> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-lab-'));
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
    JUPYTER_DATA_DIR: path.join(home, 'data'), // the notebook-signing key; kernelspecs come from the environment
    JUPYTERLAB_SETTINGS_DIR: path.join(home, 'settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(home, 'workspaces'),
    LESSONKIT_PROFILE: 'ci',
  };
  const args = [
    'lab',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${options.rootDir}`,
    '--LabApp.news_url=',
    '--ServerApp.terminals_enabled=False',
    // CI containers often run as root, which Jupyter refuses without this flag.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  // No "get notified about Jupyter news?" toast over the page.
  const notification = path.join(env.JUPYTERLAB_SETTINGS_DIR, '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(notification, { recursive: true });
  fs.writeFileSync(path.join(notification, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
  const child = spawn(options.jupyter, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    killGroup(child, 'SIGTERM');
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([exited, timer]);
    killGroup(child, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`jupyter lab exited with ${child.exitCode} before answering:\n${lines.slice(-30).join('\n')}`);
    }
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter lab did not answer on ${url} in time:\n${lines.slice(-30).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url, token, log: () => lines.slice(-40).join('\n'), stop };
}
