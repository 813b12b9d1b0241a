// @ts-check
// The lesson profile a run uses. Profile names come from the built library (src/lessons/profiles.ts), the one place that
// defines them; executing notebooks needs the build anyway.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { ROOT } from '../paths.mjs';
import { setting } from '../settings.mjs';

/** The profile names the library defines (`ci`, `full`). */
export function profileNames() {
  const built = path.join(ROOT, 'dist', 'src', 'lessons', 'profiles.js');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing; run \`npm run build\` (or \`npm run setup\`) first`);
  return Object.keys(createRequire(import.meta.url)(built).PROFILES);
}

/**
 * `requested`, else LESSONKIT_PROFILE, else `ci`; an unknown name is an error listing the known ones.
 * @param {string | undefined} requested
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
export function chooseProfile(requested, env = process.env) {
  const name = (requested ?? setting('LESSONKIT_PROFILE', env) ?? '').trim() || 'ci';
  const known = profileNames();
  if (!known.includes(name)) {
    throw new Error(
      `Lesson profile ${JSON.stringify(name)} (from ${requested ? '--profile' : 'LESSONKIT_PROFILE'}): expected one of ${known.join(', ')}`,
    );
  }
  return name;
}
