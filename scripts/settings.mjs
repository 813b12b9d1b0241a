// @ts-check
// The scripts' reader of the kit's settings (environment variables, all named `LESSONKIT_*`), from the same table
// as the library's (src/io/settings.json; docs/settings.md lists it). An old name still works: its value is used,
// a one-line deprecation notice goes to stderr once per process, and the value is copied to the new name in this
// process's environment, so child processes see the new name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {{ name: string, old: string[], default: string, area: string, does: string }} SettingSpec */

/** The table, found from this file (scripts/ or dist/scripts/). @type {SettingSpec[]} */
export const SETTINGS = JSON.parse(fs.readFileSync(tableFile(path.dirname(fileURLToPath(import.meta.url))), 'utf8'));

/** @param {string} dir */
function tableFile(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, 'src', 'io', 'settings.json');
    if (fs.existsSync(f)) return f;
    if (path.dirname(d) === d) throw new Error(`no src/io/settings.json above ${dir}`);
  }
}

/** @type {Set<string>} */
const warned = new Set();

/**
 * A setting's value from `env`: the `LESSONKIT_*` name, else an old name (with a deprecation notice, once per
 * process), else undefined. An empty value counts as unset.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string | undefined}
 */
export function setting(name, env = process.env) {
  const s = SETTINGS.find((x) => x.name === name);
  if (!s) throw new Error(`${name} is not a lessonkit setting (src/io/settings.json lists them)`);
  const value = env[s.name];
  if (value !== undefined && value !== '') return value;
  for (const old of s.old) {
    const legacy = env[old];
    if (legacy === undefined || legacy === '') continue;
    if (!warned.has(old)) {
      warned.add(old);
      process.stderr.write(`lessonkit: ${old} is deprecated; use ${s.name} (see docs/settings.md)\n`);
    }
    if (env === process.env) process.env[s.name] = legacy;
    return legacy;
  }
  return undefined;
}
