/**
 * A tqdm-like progress bar: count, percentage, elapsed and ETA, rate, and running numbers (loss, accuracy).
 *
 * - In a notebook (a display sink is installed) it is ONE output, updated in place through a `DisplayHandle`, at most
 *   `maxUpdatesPerSecond` times a second plus a final update.
 * - In a terminal (stderr is a TTY) it redraws one line with `\r`, throttled the same way.
 * - Elsewhere (CI logs, pipes) it writes one line when it closes, so logs do not fill with partial bars.
 */
import { activeSink, DisplayHandle, type MimeBundle } from '../display';
import { OptionError } from '../errors';
import { escapeHtml } from '../display';

/** Where a bar draws; `'none'` (alias `'off'`) draws nothing. */
export type ProgressMode = 'auto' | 'notebook' | 'terminal' | 'log' | 'none' | 'off';

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'notebook', 'terminal', 'log', 'none', 'off'];

/**
 * Checks a progress mode from plain JS: `'off'` and `false` mean `'none'` (silent), `undefined` means `'auto'`,
 * anything else that is not a mode is an OptionError naming `where`.
 */
export function checkProgressMode(mode: unknown, where: string): Exclude<ProgressMode, 'off'> {
  if (mode === undefined) return 'auto';
  if (mode === false || mode === 'off') return 'none';
  if (typeof mode === 'string' && (PROGRESS_MODES as readonly string[]).includes(mode))
    return mode as Exclude<ProgressMode, 'off'>;
  throw new OptionError(
    `${where}: expected progress to be one of ${PROGRESS_MODES.map((m) => `'${m}'`).join(', ')} (or false for none). Received: ${JSON.stringify(mode)}`,
    'progress',
  );
}

export interface ProgressOptions {
  /** Text before the bar, e.g. `epoch 1/5`. Default: ''. */
  description?: string;
  /** Where to draw. Default: 'auto' (notebook when a display sink is installed, else terminal when stderr is a TTY, else log). */
  mode?: ProgressMode;
  /** Throttle for redraws. Default: 4. */
  maxUpdatesPerSecond?: number;
  /** Width of the bar in characters. Default: 24. */
  width?: number;
  /** Unit shown in the rate. Default: 'it'. */
  unit?: string;
  /** Where terminal and log lines go. Default: process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Clock in milliseconds (tests). Default: performance.now. */
  now?: () => number;
}

/** `mm:ss`, or `h:mm:ss` from an hour on (tqdm's format). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

const BLOCKS = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A unicode bar of `width` cells filled to `fraction`. */
export function barText(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const cells = f * width;
  const full = Math.floor(cells);
  const partial = full < width ? BLOCKS[Math.floor((cells - full) * 8)] : '';
  return ('█'.repeat(full) + partial).padEnd(width, ' ');
}

function formatPostfix(postfix: Record<string, number | string>): string {
  return Object.entries(postfix)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join(', ');
}

/** The state of a bar at one moment, able to display itself. */
export class ProgressSnapshot {
  constructor(
    readonly description: string,
    readonly count: number,
    readonly total: number | undefined,
    readonly elapsedSeconds: number,
    readonly postfix: Record<string, number | string>,
    readonly width: number,
    readonly unit: string,
  ) {}

  get rate(): number {
    return this.elapsedSeconds > 0 ? this.count / this.elapsedSeconds : 0;
  }

  /** tqdm's line: `epoch 1/5  37%|███▋      | 37/100 [00:05<00:08, 7.21it/s, loss=0.4120, acc=0.8830]`. */
  text(): string {
    const rate = this.rate;
    const rateText =
      rate > 0
        ? `${rate >= 1 || rate === 0 ? rate.toFixed(2) : (1 / rate).toFixed(2)}${rate >= 1 ? `${this.unit}/s` : `s/${this.unit}`}`
        : `?${this.unit}/s`;
    const post = formatPostfix(this.postfix);
    const desc = this.description ? `${this.description}: ` : '';
    if (this.total === undefined || this.total <= 0) {
      return `${desc}${this.count}${this.unit} [${formatDuration(this.elapsedSeconds)}, ${rateText}${post ? `, ${post}` : ''}]`;
    }
    const fraction = this.count / this.total;
    const eta = rate > 0 ? (this.total - this.count) / rate : NaN;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    return (
      `${desc}${pct}|${barText(fraction, this.width)}| ${this.count}/${this.total} ` +
      `[${formatDuration(this.elapsedSeconds)}<${formatDuration(eta)}, ${rateText}${post ? `, ${post}` : ''}]`
    );
  }

  toMimeBundle(): MimeBundle {
    const value = this.total ? Math.min(this.count, this.total) : this.count;
    const max = this.total ?? Math.max(this.count, 1);
    const html =
      `<div class="lessonkit-progress" style="font-family:monospace;white-space:pre">` +
      `<progress value="${value}" max="${max}" style="width:14em;vertical-align:middle"></progress> ` +
      `${escapeHtml(this.text().replace(/\|[^|]*\|/, ''))}</div>`;
    return { 'text/plain': this.text(), 'text/html': html };
  }
}

export class ProgressBar {
  private readonly mode: Exclude<ProgressMode, 'auto' | 'off'>;
  private readonly minInterval: number;
  private readonly now: () => number;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly start: number;
  private lastDraw = -Infinity;
  private handle?: DisplayHandle;
  private count = 0;
  private postfix: Record<string, number | string> = {};
  private closed = false;
  /** Number of redraws so far (terminal lines rewritten or notebook updates sent); for tests and curiosity. */
  draws = 0;

  constructor(
    readonly total: number | undefined,
    private readonly options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.stream = options.stream ?? process.stderr;
    const mode = checkProgressMode(options.mode, 'ProgressBar options.mode');
    this.mode = mode !== 'auto' ? mode : activeSink() ? 'notebook' : this.stream.isTTY ? 'terminal' : 'log';
    this.minInterval = 1000 / (options.maxUpdatesPerSecond ?? 4);
    this.start = this.now();
  }

  /** Advances by `n` and replaces the running numbers shown after the rate. */
  update(n = 1, postfix?: Record<string, number | string>): void {
    this.count += n;
    if (postfix) this.postfix = postfix;
    const t = this.now();
    if (t - this.lastDraw >= this.minInterval) this.draw(t);
  }

  snapshot(t = this.now()): ProgressSnapshot {
    return new ProgressSnapshot(
      this.options.description ?? '',
      this.count,
      this.total,
      (t - this.start) / 1000,
      { ...this.postfix },
      this.options.width ?? 24,
      this.options.unit ?? 'it',
    );
  }

  /** Draws the final state (always) and ends the line. Idempotent. */
  close(postfix?: Record<string, number | string>): void {
    if (this.closed) return;
    if (postfix) this.postfix = postfix;
    this.draw(this.now(), true);
    this.closed = true;
  }

  private draw(t: number, final = false): void {
    if (this.closed || this.mode === 'none') return;
    this.lastDraw = t;
    const snap = this.snapshot(t);
    if (this.mode === 'notebook') {
      this.handle ??= new DisplayHandle();
      this.handle.update(snap);
      this.draws += 1;
    } else if (this.mode === 'terminal') {
      this.stream.write(`\r${snap.text()}\x1b[K${final ? '\n' : ''}`);
      this.draws += 1;
    } else if (final) {
      this.stream.write(`${snap.text()}\n`);
      this.draws += 1;
    }
  }
}
