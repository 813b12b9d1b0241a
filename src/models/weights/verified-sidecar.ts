/**
 * The record kept next to a downloaded weights file (`<file>.verified.json`): which hash the download was checked
 * against and where that hash came from. Later loads re-hash the file against it, so a file whose hash the registry
 * does not know is still checked on every use.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../../io';
import { WeightsIntegrityError } from '../../errors';

/** Where the expected sha256 came from: the kit's registry, or the hub's LFS headers at download time. */
export type HashSource = 'registry' | 'hub-lfs-metadata';

export interface VerifiedSidecar {
  /** The URL the file was downloaded from. */
  url: string;
  /** sha256 (hex) the file was verified against. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  source: HashSource;
  /** When it was downloaded (ISO 8601). */
  date: string;
}

const HASH_SOURCES: readonly HashSource[] = ['registry', 'hub-lfs-metadata'];

/** The sidecar's path for a cached file. */
export function sidecarPath(file: string): string {
  return `${file}.verified.json`;
}

/** Reads the sidecar of `file`; null when there is none. A malformed one throws an error naming it. */
export function readSidecar(file: string): VerifiedSidecar | null {
  const where = sidecarPath(file);
  if (!fs.existsSync(where)) return null;
  let record: Partial<VerifiedSidecar>;
  try {
    record = JSON.parse(fs.readFileSync(where, 'utf8')) as Partial<VerifiedSidecar>;
  } catch (err) {
    throw new WeightsIntegrityError(
      `${where}: expected JSON, found unreadable content (${(err as Error).message}). Delete it and ${file} to download again.`,
    );
  }
  const ok =
    typeof record.url === 'string' &&
    typeof record.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(record.sha256) &&
    Number.isInteger(record.size) &&
    (record.size as number) >= 0 &&
    HASH_SOURCES.includes(record.source as HashSource) &&
    typeof record.date === 'string';
  if (!ok) {
    throw new WeightsIntegrityError(
      `${where}: expected {url, sha256 (64 hex), size, source (${HASH_SOURCES.join(' | ')}), date}, found ` +
        `${JSON.stringify(record)}. Delete it and ${file} to download again.`,
    );
  }
  return record as VerifiedSidecar;
}

/** Writes the sidecar of `file` atomically. */
export function writeSidecar(file: string, record: VerifiedSidecar): void {
  writeFileAtomic(sidecarPath(file), `${JSON.stringify(record, null, 2)}\n`);
}
