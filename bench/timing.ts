/** Timing helpers shared by the benchmark worker: warm-up, then one rate per repeat. */

/**
 * Shortest timed repeat, in seconds: a repeat runs the step again until this much time has passed, so that a 20 ms
 * step is timed over a dozen runs rather than one (a single short step on a shared 2-core VM varies by 2x). The same
 * rule is in bench/peers.py.
 */
export const MIN_REPEAT_SECONDS = 0.25;

/**
 * Runs `step` `warmup` times untimed, then `repeats` timed repeats of at least `MIN_REPEAT_SECONDS` each (whole
 * steps); returns items per second for each repeat.
 */
export function timeRepeats(step: () => void, items: number, warmup: number, repeats: number): number[] {
  for (let i = 0; i < warmup; i++) step();
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = process.hrtime.bigint();
    let steps = 0;
    let seconds = 0;
    do {
      step();
      steps++;
      seconds = Number(process.hrtime.bigint() - t) / 1e9;
    } while (seconds < MIN_REPEAT_SECONDS);
    rates.push((items * steps) / seconds);
  }
  return rates;
}

/** Same, for async steps (the end-to-end run goes through an async feature cache). */
export async function timeRepeatsAsync(
  step: () => Promise<void>,
  items: number,
  warmup: number,
  repeats: number,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await step();
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = process.hrtime.bigint();
    await step();
    rates.push(items / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  return rates;
}

/** Peak resident set size of this process, in MiB (`maxRSS` is in KiB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
