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

/** The root exports, values and types: what a lesson needs (every name is used by a notebook) plus the errors. */
const ROOT_EXPORTS = [
  // errors
  'CheckpointError',
  'DataFormatError',
  'LabelRangeError',
  'LessonkitError',
  'NonFiniteLossError',
  'OfflineError',
  'OptionError',
  'WeightsIntegrityError',
  // engine, profiles, display, interrupts, paths
  'describeEngine',
  'ensureEngine',
  'lessonProfile',
  'display',
  'DisplayHandle',
  'throwIfInterrupted',
  'checkpointDir',
  // data
  'asRowSequences',
  'centerCrop',
  'CIFAR10_CLASSES',
  'compose',
  'createRng',
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
  'shuffleInPlace',
  'TensorDataset',
  'timeSeriesDatasets',
  'vegaDatasetPath',
  'withTimeBudget',
  // models
  'applyFreezeStrategy',
  'batchNormDrift',
  'cacheFeatures',
  'FreezeStrategy',
  'gradientFlow',
  'linearRecurrenceGradients',
  'parameterGroups',
  'recalibrateBatchNorm',
  'recurrentLayer',
  'recurrentModel',
  'replaceHead',
  'resnet34',
  'resnet50',
  'snapshotBatchNorm',
  'splitBackboneHead',
  'STRATEGY_NAMES',
  // train
  'compareAccuracy',
  'degenerateRun',
  'evaluate',
  'fit',
  'forecastSummary',
  'forecastVerdict',
  'gradientFlowSummary',
  'gradientFlowVerdict',
  'lessonBackbone',
  'measureLoss',
  'predictImageFile',
  'predictionsOf',
  'recurrentAccuracySummary',
  'restoreCheckpoint',
  'sequentialTimingSummary',
  'transferSummary',
  'wrapText',
  // viz
  'classAccuracyBars',
  'classSamplesGrid',
  'confusionHeatmap',
  'encodePng',
  'formatCount',
  'gradientNormChart',
  'gruCellDiagram',
  'learningCurves',
  'lstmCellDiagram',
  'misclassifiedGrid',
  'PlotlyFigure',
  'rnnFormsDiagram',
  'sampleGrid',
  'strategyComparison',
  'tanhDerivativeChart',
  'transferStrategiesDiagram',
  'unrolledRnnDiagram',
  'withArticle',
];

const SUBPATHS = ['data', 'models', 'train', 'viz', 'display', 'engine', 'io', 'runtime', 'profiles', 'errors'];

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

/** The names the lesson notebooks import from 'lessonkit'. */
function notebookImports(): Map<string, string> {
  const names = new Map<string, string>();
  const dir = path.join(ROOT, 'notebooks');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'))) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      cells: { cell_type: string; source: string | string[] }[];
    };
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      for (const m of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'lessonkit'/g)) {
        for (const spec of m[1].split(',')) {
          const name = spec
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0];
          if (name) names.set(name, file);
        }
      }
    }
  }
  return names;
}

test('the root export list is the pinned one (values and types)', () => {
  const actual = declaredExports(path.join(ROOT, 'dist', 'src', 'index.d.ts')).sort();
  assert.deepEqual(actual, [...ROOT_EXPORTS].sort());
});

test('the root resolves through the package name and its values are there', () => {
  assert.equal(typeof fit, 'function');
  assert.equal(typeof resnet50, 'function');
  const values = Object.keys(lessonkit).filter((k) => k !== 'default' && k !== '__esModule');
  assert.deepEqual(values.sort(), ROOT_EXPORTS.filter((n) => n !== 'FreezeStrategy').sort());
  assert.equal(require.resolve('lessonkit'), path.join(ROOT, 'dist', 'src', 'index.js'));
});

test('every name a notebook imports from lessonkit is a root export', () => {
  const root = new Set(ROOT_EXPORTS);
  const missing = [...notebookImports()].filter(([name]) => !root.has(name)).map(([name, file]) => `${name} (${file})`);
  assert.deepEqual(missing, []);
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
  const everywhere = SUBPATHS.flatMap((a) =>
    declaredExports(
      path.join(ROOT, 'dist', 'src', ...(a === 'profiles' || a === 'errors' ? [`${a}.d.ts`] : [a, 'index.d.ts'])),
    ),
  );
  assert.equal(everywhere.filter((n) => n === 'ParameterGroup').length, 1);
  assert.equal(everywhere.filter((n) => n === 'escapeHtml').length, 1);
  assert.ok(!everywhere.includes('FitParameterGroup'));
});
