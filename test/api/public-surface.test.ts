/**
 * The published face of the package, imported through its name ('lessonkit', 'lessonkit/<area>') as a notebook or
 * a user does. The root list is pinned here: adding a name to the root is a deliberate edit of this file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';
import * as lessonkit from 'lessonkit';
import { fit, resnet50 } from 'lessonkit';
import * as models from 'lessonkit/models';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The root exports, values and types: the curated root (at most 60 names), what a lesson needs in its first cells.
 * Everything else comes from its subpath; the lesson material from `lessonkit/lessons`.
 */
const ROOT_EXPORTS = [
  // errors: the base class (its kinds are in lessonkit/errors)
  'LessonkitError',
  // engine, display, interrupts, paths
  'describeEngine',
  'ensureEngine',
  'display',
  'DisplayHandle',
  'throwIfInterrupted',
  'checkpointDir',
  // data
  'asRowSequences',
  'centerCrop',
  'CIFAR10_CLASSES',
  'compose',
  'DataLoader',
  'grayscaleTo3',
  'IMAGENET_MEAN',
  'IMAGENET_STD',
  'loadCsvSeries',
  'loadLessonCifar10',
  'loadMnist',
  'MNIST_CLASSES',
  'normalize',
  'randomCrop',
  'randomHorizontalFlip',
  'resize',
  'scaleTo01',
  'TensorDataset',
  'timeSeriesDatasets',
  'vegaDatasetPath',
  'withTimeBudget',
  // models
  'applyFreezeStrategy',
  'cacheFeatures',
  'parameterGroups',
  'recurrentLayer',
  'recurrentModel',
  'replaceHead',
  'resnet34',
  'resnet50',
  'splitBackboneHead',
  'STRATEGY_NAMES',
  'FreezeStrategy',
  // train
  'evaluate',
  'fit',
  'measureLoss',
  'predictImageFile',
  'restoreCheckpoint',
  // viz
  'classAccuracyBars',
  'classSamplesGrid',
  'confusionHeatmap',
  'gradientNormChart',
  'learningCurves',
  'misclassifiedGrid',
  'PlotlyFigure',
  'sampleGrid',
  'strategyComparison',
];

const SUBPATHS = [
  'data',
  'models',
  'train',
  'viz',
  'display',
  'engine',
  'io',
  'runtime',
  'lessons',
  'errors',
  'export',
];

/** Internals that once leaked through `export *`; no entry point may export them. */
const INTERNALS = [
  'attr',
  'nativeInt64Scalar',
  'nativeBackend',
  'claimPlotlyEmbedding',
  'resetPlotlyDocument',
  'bindingPath',
  'DISPLAY_SINK_KEY',
  'HUB_BASE_URL',
  'weightsUrl',
  'fusedBatchNormTraining',
  'blockLstm',
  'blockGru',
];

/** Every export (values and types) of a declaration file, by the compiler's own reading. */
function declaredExports(dts: string): string[] {
  const program = ts.createProgram([dts], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
  return checker.getExportsOfModule(module).map((s) => s.name);
}

/** The names the lesson notebooks import, by entry point ('lessonkit', 'lessonkit/lessons', ...). */
function notebookImports(): { entry: string; name: string; file: string }[] {
  const found: { entry: string; name: string; file: string }[] = [];
  const dirs = [path.join(ROOT, 'notebooks'), ...sourceDirs(path.join(ROOT, 'classroom', 'source'))];
  for (const dir of dirs) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'))) {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
        cells: { cell_type: string; source: string | string[] }[];
      };
      for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
        const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
        for (const m of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(lessonkit(?:\/[a-z]+)?)'/g)) {
          for (const spec of m[1].split(',')) {
            const name = spec
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0];
            if (name) found.push({ entry: m[2], name, file });
          }
        }
      }
    }
  }
  return found;
}

/** The folders under classroom/source (one per assignment). */
function sourceDirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
}

/** The declaration file of an entry point ('' for the root). */
function entryDeclarations(area: string): string {
  if (area === '') return path.join(ROOT, 'dist', 'src', 'index.d.ts');
  if (area === 'errors') return path.join(ROOT, 'dist', 'src', 'errors.d.ts');
  return path.join(ROOT, 'dist', 'src', area, 'index.d.ts');
}

test('the root export list is the pinned one (values and types), at most 60 names', () => {
  const actual = declaredExports(entryDeclarations('')).sort();
  assert.deepEqual(actual, [...ROOT_EXPORTS].sort());
  assert.ok(ROOT_EXPORTS.length <= 60, `${ROOT_EXPORTS.length} root names`);
});

test('the root resolves through the package name and its values are there', () => {
  assert.equal(typeof fit, 'function');
  assert.equal(typeof resnet50, 'function');
  const values = Object.keys(lessonkit).filter((k) => k !== 'default' && k !== '__esModule');
  assert.deepEqual(values.sort(), ROOT_EXPORTS.filter((n) => n !== 'FreezeStrategy').sort());
  assert.equal(require.resolve('lessonkit'), path.join(ROOT, 'dist', 'src', 'index.js'));
});

test('every name a notebook imports exists in the entry point it names', () => {
  const exported = new Map<string, Set<string>>();
  const missing: string[] = [];
  for (const { entry, name, file } of notebookImports()) {
    const area = entry === 'lessonkit' ? '' : entry.slice('lessonkit/'.length);
    if (area !== '' && !SUBPATHS.includes(area)) {
      missing.push(`${entry} (${file}): not an entry point`);
      continue;
    }
    if (!exported.has(area)) exported.set(area, new Set(declaredExports(entryDeclarations(area))));
    if (!exported.get(area)!.has(name)) missing.push(`${name} from ${entry} (${file})`);
  }
  assert.deepEqual(missing, []);
});

test('the root holds no lesson material: the library below lessons/ knows nothing of the lessons', () => {
  const lessons = new Set(declaredExports(entryDeclarations('lessons')));
  assert.deepEqual(
    ROOT_EXPORTS.filter((n) => lessons.has(n)),
    [],
  );
  for (const area of SUBPATHS.filter((a) => a !== 'lessons')) {
    const leaked = declaredExports(entryDeclarations(area)).filter((n) => lessons.has(n));
    assert.deepEqual(leaked, [], `lessonkit/${area}`);
  }
});

test('each area is a subpath export, and the root is a subset of the areas', () => {
  const all = new Set<string>();
  for (const area of SUBPATHS) {
    const mod = require(`lessonkit/${area}`) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 0, `lessonkit/${area} exports something`);
    for (const name of Object.keys(mod)) all.add(name);
  }
  assert.equal(typeof models.resnet18, 'function');
  const notInAreas = ROOT_EXPORTS.filter((n) => n !== 'FreezeStrategy' && !all.has(n));
  assert.deepEqual(notInAreas, []);
  assert.throws(
    () => require('lessonkit/dist/src/models/ops/native-ops'),
    /ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"/,
  );
});

test('internals are exported by no entry point', () => {
  for (const entry of ['', ...SUBPATHS.map((a) => `/${a}`)]) {
    const mod = require(`lessonkit${entry}`) as Record<string, unknown>;
    const leaked = INTERNALS.filter((n) => n in mod);
    assert.deepEqual(leaked, [], `lessonkit${entry}`);
  }
});

test('one ParameterGroup type and one escapeHtml', () => {
  const everywhere = SUBPATHS.flatMap((a) => declaredExports(entryDeclarations(a)));
  assert.equal(everywhere.filter((n) => n === 'ParameterGroup').length, 1);
  assert.equal(everywhere.filter((n) => n === 'escapeHtml').length, 1);
  assert.ok(!everywhere.includes('FitParameterGroup'));
});
