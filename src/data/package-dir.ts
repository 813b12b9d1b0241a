/** Finds an installed npm package's folder, even when its `exports` map hides `package.json` (vega-datasets does). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder of package `name` as Node would resolve it from this module; throws when it is not installed. */
export function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`The npm package "${name}" is not installed (searched from ${__dirname}); run \`npm install\`.`);
}
