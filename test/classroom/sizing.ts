/**
 * Sizing for docs/classroom.md (not part of `npm test`): one learner on the class hub runs lesson notebooks one after
 * another, as JupyterLab would (a session per notebook, every code cell over the websocket), and this records per
 * lesson the peak resident memory of the learner's whole server tree (JupyterLab + the lesson kernel), the CPU
 * seconds it used, and the wall time.
 *
 *   npm run build && node dist/test/classroom/sizing.js [00 01 02 03]      (profile: the notebooks' default, ci)
 *
 * CLASSROOM_TF_THREADS sets the kernel's TensorFlow threads (default 1, as in the class config). Writes
 * test-artifacts/classroom-sizing.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  api,
  classroomMissing,
  KernelSocket,
  REPO_ROOT,
  rssSampler,
  sleep,
  startHub,
  stopHub,
  treeUsage,
} from './support';

async function main(): Promise<void> {
  const missing = classroomMissing();
  if (missing) throw new Error(missing);
  const wanted = process.argv.slice(2);
  const notebooks = fs
    .readdirSync(path.join(REPO_ROOT, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb') && (wanted.length === 0 || wanted.some((w) => f.startsWith(w))))
    .sort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-sizing-'));
  const threads = process.env.CLASSROOM_TF_THREADS ?? '1';
  const hub = await startHub(dir, ['learner'], { memLimit: 6 * 1024 ** 3, threads });
  const results: Record<string, unknown>[] = [];
  try {
    const start = await api(hub, 'POST', '/hub/api/users/learner/server');
    if (![201, 202].includes(start.status)) throw new Error(`spawn: ${start.status}`);
    let pid = 0;
    while (!pid) {
      const s = (await api(hub, 'GET', '/hub/api/users/learner')).json?.servers?.[''];
      if (s?.ready) pid = s.state.pid;
      else await sleep(500);
    }
    const idle = treeUsage(pid);
    console.log(`server alone: ${(idle.rss / 2 ** 20).toFixed(0)} MiB`);
    for (const nb of notebooks) {
      const file = `lessons/${nb}`;
      const cells = (await api(hub, 'GET', `/user/learner/api/contents/${file}`)).json.content.cells.filter(
        (c: any) => c.cell_type === 'code',
      );
      const before = treeUsage(pid).cpuSeconds;
      const sampler = rssSampler(pid, 250);
      const t0 = Date.now();
      const session = await api(hub, 'POST', '/user/learner/api/sessions', {
        path: file,
        type: 'notebook',
        name: nb,
        kernel: { name: 'lessonkit' },
      });
      const ws = new KernelSocket(
        `${hub.url.replace('http', 'ws')}/user/learner/api/kernels/${session.json.kernel.id}/channels`,
        hub.token,
      );
      await ws.opened;
      let errors = 0;
      for (const c of cells) {
        const r = await ws.execute(Array.isArray(c.source) ? c.source.join('') : c.source, undefined, 1_800_000);
        if (r.status !== 'ok') {
          errors++;
          console.error(
            `${nb}: a cell failed: ${JSON.stringify(r.outputs.filter((o) => o.msg_type === 'error')).slice(0, 400)}`,
          );
        }
      }
      const cpu = treeUsage(pid).cpuSeconds - before;
      const { peakRss, peakData } = sampler.stop();
      ws.close();
      await api(hub, 'DELETE', `/user/learner/api/sessions/${session.json.id}`);
      const row = {
        notebook: nb,
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        peakDataMiB: Math.round(peakData / 2 ** 20),
        cpuSeconds: Math.round(cpu),
        wallSeconds: Math.round((Date.now() - t0) / 1000),
        errors,
        threads,
      };
      console.log(JSON.stringify(row));
      results.push(row);
      await sleep(2000); // the kernel exits
    }
    await api(hub, 'DELETE', '/hub/api/users/learner/server');
  } finally {
    await stopHub(hub);
    fs.mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(
      path.join(REPO_ROOT, 'test-artifacts', 'classroom-sizing.json'),
      `${JSON.stringify({ cores: os.cpus().length, loadavg: os.loadavg(), results }, null, 2)}\n`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
