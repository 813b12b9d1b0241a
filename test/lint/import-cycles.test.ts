/**
 * The import graph of src/ has no circle (type-only imports count: they tie the files' meaning together just the
 * same). Issue 25 found one in train/ (early-stopping -> fit-run -> fit-options -> early-stopping); callbacks now
 * see a `FitContext` instead of the run, and this test keeps it that way. Imports are read by TypeScript's own
 * pre-processor (every `import`/`export ... from`, and `require` calls).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '..', '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The files of src/ that `file` imports (relative imports resolved to a .ts file or a folder's index.ts). */
function imports(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name))
    .map((p) => [`${p}.ts`, path.join(p, 'index.ts')].find((c) => fs.existsSync(c)))
    .filter((p): p is string => p !== undefined);
}

/** The strongly connected components with more than one file (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.map((f) => path.relative(SRC, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('src/ has no import circle', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 100, `found ${files.length} files under ${SRC}`);
  const graph = new Map(files.map((f) => [f, imports(f)]));
  assert.deepEqual(circles(graph), []);
});

test('the circle finder finds a circle (a -> b -> a)', () => {
  const graph = new Map([
    [path.join(SRC, 'a.ts'), [path.join(SRC, 'b.ts')]],
    [path.join(SRC, 'b.ts'), [path.join(SRC, 'a.ts')]],
    [path.join(SRC, 'c.ts'), [path.join(SRC, 'a.ts')]],
  ]);
  assert.deepEqual(circles(graph), [['a.ts', 'b.ts']]);
});
