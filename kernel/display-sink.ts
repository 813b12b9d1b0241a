/**
 * The display bridge: the library's `display()` (src/display) publishes through a `DisplaySink`; the kernel's sink
 * sends one `display_data` (or `update_display_data`) message with the whole MIME bundle through tslab's internal
 * writer for the current cell.
 *
 * Porting note: tslab's public `display` API sends one MIME type per call (`display.html(...)`), so a chart could
 * not carry its Plotly JSON and its HTML fallback in one output. Its internal writer (`lastWriteDisplayData` in
 * tslab/dist/jupyter.js, set for each executed cell) takes a whole bundle; we use that.
 */
import * as tslabJupyter from 'tslab/dist/jupyter';
import type { DisplaySink } from '../src/display';

/** tslab's writer: content of a display_data message, and whether it updates an earlier output. */
export type DisplayDataWriter = (
  content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

/** The writer tslab set for the cell that runs now (or ran last), if any. */
export function currentWriter(): DisplayDataWriter | undefined {
  return ((tslabJupyter as unknown as { lastWriteDisplayData: DisplayDataWriter | null }).lastWriteDisplayData ??
    undefined) as DisplayDataWriter | undefined;
}

/** Points tslab's writer at the given cell's writer (what tslab's handleExecuteImpl does for each cell). */
export function setCurrentWriter(writer: DisplayDataWriter): void {
  (tslabJupyter as unknown as { lastWriteDisplayData: DisplayDataWriter | null }).lastWriteDisplayData = writer;
}

/** A sink that publishes through `writer()` (default: tslab's writer for the current cell). */
export function createDisplaySink(writer: () => DisplayDataWriter | undefined = currentWriter): DisplaySink {
  return {
    publish(bundle, metadata, transient, update) {
      const write = writer();
      if (!write) throw new Error('display(): no notebook cell has run yet, so there is no output to write to.');
      if (update && !transient.display_id) {
        throw new Error('display(): an update needs a displayId; received none.');
      }
      write({ data: { ...bundle }, metadata: { ...metadata }, transient: { ...transient } }, update);
    },
  };
}
