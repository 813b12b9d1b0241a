/**
 * What the Hugging Face hub says about a file before it is downloaded. For a Git LFS file, a HEAD request on its
 * `resolve` URL (not following the redirect to the CDN) answers with `x-linked-etag` (the file's sha256, usually
 * quoted) and `x-linked-size` (its size in bytes): the hub's own record of the content, which the download is then
 * checked against. This is how `huggingface_hub` reads file metadata too.
 */
import { OfflineError } from '../../errors';

/** HTTP headers the hub sets on LFS files. */
const LINKED_ETAG_HEADER = 'x-linked-etag';
const LINKED_SIZE_HEADER = 'x-linked-size';
/** How long the HEAD request may take before it counts as unreachable (default of `readHubLfsMetadata`). */
export const HEAD_TIMEOUT_MS = 30_000;

/** The hub's answer: the LFS hash and size, or why there is none. */
export type HubLfsMetadata = { found: true; sha256: string; size: number } | { found: false; reason: string };

/** Strips a weak-validator prefix and quotes from an ETag value (`W/"abc"` → `abc`). */
function normalizeEtag(value: string): string {
  return value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
}

/**
 * HEADs `url` without following redirects and reads the LFS headers. Network failures, and no answer within
 * `timeoutMs`, throw (the message names the URL and ends with `offlineHint`); an answer without usable headers is
 * `{ found: false, reason }`.
 */
export async function readHubLfsMetadata(
  url: string,
  offlineHint = '',
  timeoutMs = HEAD_TIMEOUT_MS,
): Promise<HubLfsMetadata> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message;
    const code = e.cause?.code ? `: ${e.cause.code}` : '';
    throw new OfflineError(`Could not reach ${url} (${why}${code}).${offlineHint ? ` ${offlineHint}` : ''}`);
  }
  const answer = `HEAD ${url} answered HTTP ${response.status}`;
  const etag = response.headers.get(LINKED_ETAG_HEADER);
  const size = response.headers.get(LINKED_SIZE_HEADER);
  if (etag === null)
    return { found: false, reason: `${answer} without the ${LINKED_ETAG_HEADER} header (the file's sha256)` };
  const sha256 = normalizeEtag(etag);
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    return {
      found: false,
      reason: `${answer} with ${LINKED_ETAG_HEADER} ${JSON.stringify(etag)}, which is not a sha256`,
    };
  }
  if (size === null)
    return { found: false, reason: `${answer} without the ${LINKED_SIZE_HEADER} header (the file's size)` };
  if (!/^\d+$/.test(size.trim())) {
    return {
      found: false,
      reason: `${answer} with ${LINKED_SIZE_HEADER} ${JSON.stringify(size)}, which is not a byte count`,
    };
  }
  return { found: true, sha256, size: Number(size.trim()) };
}
