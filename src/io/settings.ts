/**
 * The kit's settings: environment variables, all named `LESSONKIT_*`. The table (settings.json, also read by the
 * scripts and listed in docs/settings.md) gives each one's default, what it does and the old names it replaces.
 * An old name still works: its value is used, a one-line deprecation notice goes to stderr once per process, and
 * the value is copied to the new name in this process's environment, so child processes see the new name.
 */
import table from './settings.json';

export interface SettingSpec {
  name: string;
  /** Names that meant the same before the one `LESSONKIT_` prefix (still read, with a notice). */
  old: string[];
  default: string;
  area: string;
  does: string;
}

export const SETTINGS: readonly SettingSpec[] = table;

const warned = new Set<string>();

function spec(name: string): SettingSpec {
  const found = SETTINGS.find((s) => s.name === name);
  if (!found) throw new Error(`${name} is not a lessonkit setting (src/io/settings.json lists them)`);
  return found;
}

/**
 * A setting's value from `env` (default: this process's environment): the `LESSONKIT_*` name, else an old name
 * (with a deprecation notice, once per process), else undefined. An empty value counts as unset.
 */
export function setting(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const s = spec(name);
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
