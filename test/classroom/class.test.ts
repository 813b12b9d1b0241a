/**
 * A class on one machine, on loopback only: JupyterHub (classroom/jupyterhub_config.py) with three learners, their
 * JupyterLab servers started through the hub's REST API, the smoke notebook and one exercise run in each at the same
 * time over the Jupyter websocket protocol, isolation checked (kernels, working directories, files), each server's
 * peak memory and time to first output recorded (test-artifacts/classroom.json); then everything stopped, and an
 * nbgrader round trip (generate, release, fetch, submit, collect, autograde) in which a correct and a wrong answer
 * get different scores.
 *
 * Needs jupyterhub (apt-get install jupyterhub, or pip); says SKIPPED with the reason otherwise. The nbgrader round
 * trip needs nbgrader, in the project's Python or in the one LESSONKIT_NBGRADER_PYTHON names, and says SKIPPED with
 * the reason without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  alive,
  waitGone,
  api,
  classroomMissing,
  KernelSocket,
  nbgrader,
  nbgraderMissing,
  NBGRADER_PYTHON,
  REPO_ROOT,
  rssSampler,
  sleep,
  startHub,
  stopHub,
  streamText,
  tail,
  treeUsage,
  type CellRun,
  type Hub,
} from './support';

const LEARNERS = ['ada', 'grace', 'alan'];
const MEM_LIMIT = 3 * 1024 ** 3;
const THREADS = '1';
const ASSIGNMENT = '03-recurrent';
const SOURCE = path.join(REPO_ROOT, 'classroom', 'source', ASSIGNMENT, `${ASSIGNMENT}.ipynb`);

interface NbCell {
  id: string;
  cell_type: string;
  source: string | string[];
  metadata: { nbgrader?: { solution?: boolean; grade?: boolean; points?: number; grade_id?: string } };
}
const text = (c: NbCell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
const sourceNb = (): { cells: NbCell[] } => JSON.parse(fs.readFileSync(SOURCE, 'utf8'));

interface LearnerRun {
  name: string;
  serverPid: number;
  spawnSeconds: number;
  kernelId: string;
  firstOutputSeconds: number;
  peakRssMiB: number;
  peakDataMiB: number;
  cpuSeconds: number;
  smoke: CellRun[];
  exercise: CellRun[];
  identity: { cwd: string; pid: number; home: string; intraOp: string; omp: string; dataLimit: string };
}

const missing = classroomMissing();
if (missing) console.log(`# SKIPPED class test: ${missing}`);

// The nbgrader round trip alone took about 7 minutes at a load average of 20 (autograde: 2 kernels, 4 minutes), so
// the whole test gets 15.
describe('a class on JupyterHub (loopback)', { skip: missing, timeout: 900_000 }, () => {
  let dir = '';
  let hub: Hub | undefined;
  const runs = new Map<string, LearnerRun>();
  const started = Date.now();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-class-'));
    hub = await startHub(dir, LEARNERS, { memLimit: MEM_LIMIT, threads: THREADS });
  });

  after(async () => {
    if (hub) await stopHub(hub);
    const report = {
      learners: [...runs.values()].map(({ smoke: _smoke, exercise: _exercise, ...r }) => r),
      totalSeconds: (Date.now() - started) / 1000,
      cores: os.cpus().length,
    };
    fs.mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, 'test-artifacts', 'classroom.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (dir && !process.env.LESSONKIT_KEEP_CLASSROOM) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs a learner in with the class password and serves JupyterLab through the proxy', async () => {
    const h = hub!;
    // The login form (DummyAuthenticator with the shared password); the hub answers with a redirect and a cookie.
    const login = await fetch(`${h.url}/hub/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: LEARNERS[0], password: 'wrong' }),
    });
    assert.notEqual(login.status, 302, 'a wrong password must not log in');
    const good = await fetch(`${h.url}/hub/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: LEARNERS[0], password: h.password }),
    });
    assert.equal(good.status, 302, `login answered ${good.status}: ${tail(h.log, 1500)}`);
    assert.ok(
      good.headers.get('set-cookie')?.includes('jupyterhub-session-id') ||
        good.headers.get('set-cookie')?.includes('jupyterhub-hub-login'),
    );
    const stranger = await fetch(`${h.url}/hub/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'not-in-class', password: h.password }),
    });
    assert.notEqual(stranger.status, 302, 'only the class list may log in');
  });

  it('starts three servers through the REST API and runs the smoke notebook and an exercise in each at once', async () => {
    const h = hub!;
    const spawnStart = Date.now();
    // All at once, as a class does (the hub answers each request when the server is up, or after 10 s with 202).
    await Promise.all(
      LEARNERS.map(async (name) => {
        const r = await api(h, 'POST', `/hub/api/users/${name}/server`);
        assert.ok(
          [201, 202].includes(r.status),
          `starting ${name}'s server: ${r.status} ${JSON.stringify(r.json)}\n${tail(h.log)}`,
        );
      }),
    );
    const ready = new Map<string, { pid: number; seconds: number }>();
    const deadline = Date.now() + 150_000;
    while (ready.size < LEARNERS.length) {
      for (const name of LEARNERS) {
        if (ready.has(name)) continue;
        const u = (await api(h, 'GET', `/hub/api/users/${name}`)).json;
        const s = u?.servers?.[''];
        if (s?.ready) ready.set(name, { pid: s.state.pid, seconds: (Date.now() - spawnStart) / 1000 });
      }
      if (Date.now() > deadline) assert.fail(`servers not ready after 150 s: ${[...ready.keys()]}\n${tail(h.log)}`);
      await sleep(500);
    }

    const exerciseCells = sourceNb()
      .cells.filter((c) => c.cell_type === 'code' && ['setup', 'rnn-step', 'rnn-step-test'].includes(c.id))
      .map(text);
    assert.equal(exerciseCells.length, 3);

    await Promise.all(
      LEARNERS.map(async (name) => {
        const { pid: serverPid, seconds: spawnSeconds } = ready.get(name)!;
        const base = `/user/${name}/api`;
        // The learner's own copy of the lessons, read through their server.
        const smokeNb = await api(h, 'GET', `${base}/contents/lessons/00-smoke.ipynb`);
        assert.equal(smokeNb.status, 200, `${name}: lessons/00-smoke.ipynb: ${smokeNb.status}`);
        const smokeCells: string[] = smokeNb.json.content.cells.filter((c: NbCell) => c.cell_type === 'code').map(text);
        const sampler = rssSampler(serverPid);
        const t0 = Date.now();
        let firstOutput = 0;
        // A session for the notebook, as JupyterLab opens it: the kernel starts in the notebook's folder.
        const session = await api(h, 'POST', `${base}/sessions`, {
          path: 'lessons/00-smoke.ipynb',
          type: 'notebook',
          name: '00-smoke.ipynb',
          kernel: { name: 'lessonkit' },
        });
        assert.equal(session.status, 201, `${name}: session: ${session.status} ${JSON.stringify(session.json)}`);
        const kernelId: string = session.json.kernel.id;
        const ws = new KernelSocket(`${h.url.replace('http', 'ws')}${base}/kernels/${kernelId}/channels`, h.token);
        await ws.opened;
        try {
          const smoke: CellRun[] = [];
          for (const code of smokeCells) {
            smoke.push(await ws.execute(code, () => (firstOutput ||= Date.now())));
          }
          const exercise: CellRun[] = [];
          for (const code of exerciseCells) exercise.push(await ws.execute(code));
          const who = await ws.execute(
            "console.log(JSON.stringify({ cwd: process.cwd(), pid: process.pid, home: process.env.HOME, intraOp: process.env.TF_NUM_INTRAOP_THREADS, omp: process.env.OMP_NUM_THREADS, dataLimit: require('fs').readFileSync('/proc/self/limits', 'utf8').split('\\n').find((l: string) => l.startsWith('Max data size')) }))",
          );
          const usage = sampler.stop();
          runs.set(name, {
            name,
            serverPid,
            spawnSeconds,
            kernelId,
            firstOutputSeconds: (firstOutput - t0) / 1000,
            peakRssMiB: Math.round(usage.peakRss / 2 ** 20),
            peakDataMiB: Math.round(usage.peakData / 2 ** 20),
            cpuSeconds: Math.round(usage.cpuSeconds * 10) / 10,
            smoke,
            exercise,
            identity: JSON.parse(streamText(who).trim().split('\n').pop()!),
          });
        } finally {
          ws.close();
        }
      }),
    );

    for (const r of runs.values()) {
      r.smoke.forEach((c, i) =>
        assert.equal(c.status, 'ok', `${r.name}: smoke cell ${i}: ${JSON.stringify(c.outputs).slice(0, 800)}`),
      );
      const all = r.smoke.flatMap((c) => c.outputs);
      assert.match(
        r.smoke.map(streamText).join(''),
        /backend: tensorflow/,
        `${r.name}: the smoke notebook's engine line`,
      );
      assert.ok(
        all.some((o) => o.content.data?.['application/vnd.plotly.v1+json']),
        `${r.name}: no Plotly chart among the outputs`,
      );
      assert.ok(
        all.some((o) => o.content.data?.['image/png']),
        `${r.name}: no image among the outputs`,
      );
      r.exercise.forEach((c, i) =>
        assert.equal(c.status, 'ok', `${r.name}: exercise cell ${i}: ${JSON.stringify(c.outputs).slice(0, 800)}`),
      );
      assert.match(streamText(r.exercise[2]), /rnnStep matches simpleRNN/);
      assert.ok(r.firstOutputSeconds > 0, `${r.name}: no output seen`);
    }
    console.log('# learner  spawn s  first output s  peak RSS MiB  CPU s');
    for (const r of runs.values()) {
      console.log(
        `# ${r.name.padEnd(8)} ${r.spawnSeconds.toFixed(1).padStart(7)} ${r.firstOutputSeconds.toFixed(1).padStart(15)} ${String(r.peakRssMiB).padStart(13)} ${r.cpuSeconds.toFixed(1).padStart(6)}`,
      );
    }
  });

  it('keeps the learners apart: own server, kernel, working directory, files and limits', async () => {
    const h = hub!;
    const list = [...runs.values()];
    assert.equal(list.length, LEARNERS.length, 'the previous test did not finish');
    assert.equal(new Set(list.map((r) => r.serverPid)).size, LEARNERS.length, 'one server process per learner');
    assert.equal(new Set(list.map((r) => r.kernelId)).size, LEARNERS.length);
    assert.equal(new Set(list.map((r) => r.identity.pid)).size, LEARNERS.length, 'one kernel process per learner');
    for (const r of list) {
      const home = path.join(h.dir, 'home', r.name);
      assert.equal(r.identity.home, home);
      assert.equal(
        r.identity.cwd,
        path.join(home, 'lessons'),
        `${r.name}'s kernel runs in their own copy of the lessons`,
      );
      // Each kernel belongs to its learner's server tree, and to no other.
      for (const other of list) {
        const inTree = treeUsage(other.serverPid).pids.includes(r.identity.pid);
        assert.equal(inTree, other === r, `${r.name}'s kernel in ${other.name}'s process tree: ${inTree}`);
      }
      // Each server lists only its own kernel.
      const kernels = (await api(h, 'GET', `/user/${r.name}/api/kernels`)).json.map((k: { id: string }) => k.id);
      assert.deepEqual(kernels, [r.kernelId]);
      // Per-learner limits reached the kernel: TensorFlow's thread pools and the memory cap.
      assert.equal(r.identity.intraOp, THREADS);
      assert.equal(r.identity.omp, THREADS);
      assert.match(r.identity.dataLimit, new RegExp(`\\s${MEM_LIMIT}\\s+${MEM_LIMIT}\\s`));
    }
    // A file one learner writes is not in another's working directory.
    const [a, b] = list;
    const put = await api(h, 'PUT', `/user/${a.name}/api/contents/lessons/notes.txt`, {
      type: 'file',
      format: 'text',
      content: `${a.name}'s notes`,
    });
    assert.equal(put.status, 201, JSON.stringify(put.json));
    assert.equal((await api(h, 'GET', `/user/${a.name}/api/contents/lessons/notes.txt`)).status, 200);
    assert.equal((await api(h, 'GET', `/user/${b.name}/api/contents/lessons/notes.txt`)).status, 404);
    // Without the admin token, one learner's server refuses a request (no cross-learner access by default).
    const anonymous = await fetch(`${h.url}/user/${b.name}/api/contents/lessons`, { redirect: 'manual' });
    assert.ok([302, 403].includes(anonymous.status), `unauthenticated request answered ${anonymous.status}`);
  });

  it('holds a learner to the memory limit: an allocation past it fails in their kernel, which keeps running', async () => {
    const h = hub!;
    const r = runs.get(LEARNERS[0])!;
    const ws = new KernelSocket(
      `${h.url.replace('http', 'ws')}/user/${r.name}/api/kernels/${r.kernelId}/channels`,
      h.token,
    );
    await ws.opened;
    try {
      // The control: without the limit, this machine grants the same allocation (pages are only reserved).
      const control = spawnSync(
        process.execPath,
        ['-e', `console.log(new Float64Array(${MEM_LIMIT / 8 + 2 ** 20}).length)`],
        { encoding: 'utf8' },
      );
      assert.equal(control.status, 0, `the control allocation failed without a limit: ${control.stderr}`);
      const big = await ws.execute(`const tooBig = new Float64Array(${MEM_LIMIT / 8 + 2 ** 20}); tooBig.length`);
      assert.equal(
        big.status,
        'error',
        `an allocation past the limit succeeded: ${JSON.stringify(big.outputs).slice(0, 400)}`,
      );
      assert.ok(
        big.outputs.some((o) => o.msg_type === 'error' && /RangeError/.test(o.content.ename + o.content.evalue)),
        JSON.stringify(big.outputs).slice(0, 400),
      );
      const after = await ws.execute('const stillHere = 6 * 7; stillHere');
      assert.equal(after.status, 'ok');
      assert.equal(after.outputs.find((o) => o.msg_type === 'execute_result')?.content.data['text/plain'], '42');
      assert.ok(alive(r.identity.pid) && alive(runs.get(LEARNERS[1])!.identity.pid));
    } finally {
      ws.close();
    }
  });

  it('stops every server and the hub, leaving no process behind', async () => {
    const h = hub!;
    const pids = [...runs.values()].flatMap((r) => [r.serverPid, r.identity.pid]);
    for (const name of LEARNERS) {
      const r = await api(h, 'DELETE', `/hub/api/users/${name}/server`);
      assert.ok([202, 204].includes(r.status), `stopping ${name}: ${r.status}`);
    }
    assert.deepEqual(await waitGone(pids, 60_000), [], 'servers or kernels still running after the hub stopped them');
    for (const name of LEARNERS) {
      const s = (await api(h, 'GET', `/hub/api/users/${name}`)).json;
      assert.deepEqual(s.servers, {}, `${name} still has a server: ${JSON.stringify(s.servers)}`);
    }
    const hubPids = treeUsage(h.process.pid!).pids;
    await stopHub(h);
    assert.deepEqual(await waitGone(hubPids, 15_000), [], 'the hub or its proxy still running');
  });

  const noNbgrader = nbgraderMissing();
  it(
    'autogrades a submitted assignment with nbgrader: a correct and a wrong answer score differently',
    { skip: noNbgrader && `SKIPPED: ${noNbgrader}` },
    async () => {
      const course = path.join(dir, 'course');
      const exchange = path.join(dir, 'exchange');
      fs.mkdirSync(path.join(course, 'source'), { recursive: true });
      fs.mkdirSync(exchange, { recursive: true }); // the hub config made it: the class's exchange
      fs.cpSync(path.dirname(SOURCE), path.join(course, 'source', ASSIGNMENT), { recursive: true });
      fs.copyFileSync(path.join(REPO_ROOT, 'classroom', 'nbgrader_config.py'), path.join(course, 'nbgrader_config.py'));
      // Autograding runs the lesson kernel in autograded/<student>/<assignment>/; `lessonkit` resolves from there.
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(course, 'node_modules'));
      const courseEnv = { NBGRADER_COURSE_ROOT: course, NBGRADER_EXCHANGE: exchange };

      await nbgrader(['generate_assignment', ASSIGNMENT], course, courseEnv);
      const released = JSON.parse(
        fs.readFileSync(path.join(course, 'release', ASSIGNMENT, `${ASSIGNMENT}.ipynb`), 'utf8'),
      ) as { cells: NbCell[] };
      const solutions = sourceNb().cells.filter((c) => c.metadata.nbgrader?.solution);
      assert.ok(solutions.length >= 2);
      for (const cell of released.cells.filter((c) => c.metadata.nbgrader?.solution)) {
        assert.doesNotMatch(
          text(cell),
          /BEGIN SOLUTION|END SOLUTION/,
          'the release version still has a solution region',
        );
        assert.match(text(cell), /throw new Error\('not implemented'\)/);
      }
      for (const sol of solutions) {
        const releasedCell = released.cells.find((c) => c.id === sol.id)!;
        const solutionBody = text(sol)
          .split('\n')
          .filter((l) => !/SOLUTION|^\s*}?\s*$|^function/.test(l));
        for (const line of solutionBody)
          assert.ok(!text(releasedCell).includes(line.trim()), `solution line left in the release: ${line}`);
      }
      await nbgrader(['release_assignment', ASSIGNMENT], course, courseEnv);

      // Two learners fetch it into their own working directories, answer, and submit.
      const answers: Record<string, (id: string, released: string, solution: string) => string> = {
        ada: (_id, _released, solution) => solution, // every task right
        grace: (id, released, solution) =>
          id === 'rnn-step' ? solution.replace('tf.tanh(', '(') : id === 'clip' ? solution : released, // one wrong, one right, the rest left
      };
      // The learners' side runs as in their JupyterLab terminal: their HOME, whose ~/.jupyter/nbgrader_config.py (written
      // by the hub config when their server started) names the course and the class's exchange.
      for (const student of Object.keys(answers)) {
        const config = fs.readFileSync(path.join(dir, 'home', student, '.jupyter', 'nbgrader_config.py'), 'utf8');
        assert.ok(
          config.includes(exchange),
          `${student}'s nbgrader config does not name the class exchange: ${config}`,
        );
      }
      await Promise.all(
        Object.entries(answers).map(async ([student, answer]) => {
          const home = path.join(dir, 'home', student);
          await nbgrader(['fetch_assignment', ASSIGNMENT], home, { HOME: home });
          const file = path.join(home, ASSIGNMENT, `${ASSIGNMENT}.ipynb`);
          const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: NbCell[] };
          for (const cell of nb.cells) {
            const sol = solutions.find((s) => s.id === cell.id);
            if (sol) cell.source = answer(cell.id, text(cell), text(sol));
          }
          fs.writeFileSync(file, JSON.stringify(nb));
          await nbgrader(['submit', ASSIGNMENT, `--student=${student}`], home, { HOME: home });
        }),
      );
      await nbgrader(['collect', ASSIGNMENT], course, courseEnv);
      await nbgrader(['autograde', ASSIGNMENT], course, courseEnv);

      const read = [
        'import json, sys',
        'from nbgrader.api import Gradebook',
        "with Gradebook('sqlite:///' + sys.argv[1]) as gb:",
        '    out = {}',
        '    for s in sys.argv[2:]:',
        `        sub = gb.find_submission(${JSON.stringify(ASSIGNMENT)}, s)`,
        "        out[s] = {'score': sub.score, 'max': sub.max_score, 'cells': {g.cell.name: g.score for nb in sub.notebooks for g in nb.grades}}",
        '    print(json.dumps(out))',
      ].join('\n');
      const scores = JSON.parse(
        nbgraderPython(read, [path.join(course, 'gradebook.db'), ...Object.keys(answers)]),
      ) as Record<string, { score: number; max: number; cells: Record<string, number> }>;
      const points = Object.fromEntries(
        sourceNb()
          .cells.filter((c) => c.metadata.nbgrader?.grade)
          .map((c) => [c.metadata.nbgrader!.grade_id!, c.metadata.nbgrader!.points!]),
      );
      const total = Object.values(points).reduce((a, b) => a + b, 0);
      console.log(`# nbgrader scores: ${JSON.stringify(scores)}`);
      assert.equal(scores.ada.max, total);
      assert.equal(scores.ada.score, total, 'every answer right: full marks');
      assert.deepEqual(scores.ada.cells, points);
      assert.equal(scores.grace.cells['clip-test'], points['clip-test'], 'the right answer scores its points');
      assert.equal(scores.grace.cells['rnn-step-test'], 0, 'the wrong answer scores nothing');
      assert.equal(scores.grace.score, points['clip-test']);
      assert.ok(scores.ada.score > scores.grace.score);
      // The wrong answer's test cell failed with an error output, as the kernel reported it.
      const graded = JSON.parse(
        fs.readFileSync(path.join(course, 'autograded', 'grace', ASSIGNMENT, `${ASSIGNMENT}.ipynb`), 'utf8'),
      ) as { cells: (NbCell & { outputs: any[] })[] };
      const failed = graded.cells.find((c) => c.id === 'rnn-step-test')!;
      assert.ok(
        failed.outputs.some((o) => o.output_type === 'error' && /value \d+: expected/.test(o.evalue)),
        JSON.stringify(failed.outputs).slice(0, 600),
      );
    },
  );
});

function nbgraderPython(code: string, args: string[]): string {
  const r = spawnSync(NBGRADER_PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}
