/**
 * The bridge between library values and whatever front end is listening.
 *
 * Inside the lesson kernel, `kernel/` installs a sink on `globalThis` under `DISPLAY_SINK_KEY`; the library never
 * imports the kernel. Outside a kernel (scripts, tests, a terminal), `display` prints the `text/plain` part.
 */
import type { MimeBundle, MimeMetadata } from './protocol';
import { mimeBundleOf } from './registry';

/** Where the kernel registers its sink. A `Symbol.for` key, so it survives module reloading in notebooks. */
export const DISPLAY_SINK_KEY = Symbol.for('lessonkit.displaySink');

/** What a front end offers: publish one output (several MIME types), or update an output shown earlier. */
export interface DisplaySink {
  publish(bundle: MimeBundle, metadata: MimeMetadata, transient: { display_id?: string }, update: boolean): void;
}

export interface DisplayOptions {
  /** Gives the output an id so that it can be updated in place later (progress bars, live charts). Default: none. */
  displayId?: string;
  /** Replace the output with this `displayId` instead of adding a new one. Default: false. */
  update?: boolean;
  /** Per-MIME-type metadata. Default: none. */
  metadata?: MimeMetadata;
}

/** The sink the kernel installed, or undefined outside a kernel. */
export function activeSink(): DisplaySink | undefined {
  return (globalThis as Record<symbol, DisplaySink | undefined>)[DISPLAY_SINK_KEY];
}

/** Installs (or with `undefined`, removes) the front end's sink. Used by the kernel and by tests. */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  (globalThis as Record<symbol, DisplaySink | undefined>)[DISPLAY_SINK_KEY] = sink;
}

/** Shows a value as one output with every MIME type it offers. */
export function display(value: unknown, options: DisplayOptions = {}): void {
  const bundle = mimeBundleOf(value);
  const sink = activeSink();
  if (sink) {
    const transient = options.displayId ? { display_id: options.displayId } : {};
    sink.publish(bundle, options.metadata ?? {}, transient, options.update ?? false);
  } else if (!options.update) {
    process.stdout.write(`${bundle['text/plain']}\n`);
  }
}

let nextId = 0;

/** A handle on one output that can be replaced in place, e.g. a progress bar or a live chart. */
export class DisplayHandle {
  readonly displayId: string;
  private shown = false;

  constructor(displayId?: string) {
    this.displayId = displayId ?? `lessonkit-${process.pid}-${Date.now()}-${nextId++}`;
  }

  /** Shows the value the first time, then replaces it. */
  update(value: unknown): void {
    display(value, { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }
}
