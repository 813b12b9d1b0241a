#!/usr/bin/env node
// @ts-check
// `npm run bench [-- options]`: runs the set-up with the development list (`setup.mjs --dev`: torch, tensorflow-cpu
// for the peers), then this, which runs the benchmark against PyTorch and Keras (bench/main.ts). This script itself
// builds nothing: run `npm run build` first when calling it directly. Options: --quick, --only name,name, --write-md, --threads N,
// --repeats R, --warmup W, --frameworks lessonkit,lessonkit-graph,torch,keras, --no-data. See BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lessonDataDir, ROOT } from './paths.mjs';

const main = path.join(ROOT, 'dist', 'bench', 'main.js');
if (!fs.existsSync(main)) {
  console.error(`bench: ${path.relative(ROOT, main)} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
// The data-loading rows read the offline CIFAR-10 copy when there is one (../shared/datasets beside the checkout).
const env = { ...process.env };
if (lessonDataDir()) env.LESSONKIT_DATA_DIR = lessonDataDir();
const r = spawnSync(process.execPath, [main, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', env });
process.exit(r.status ?? 1);
