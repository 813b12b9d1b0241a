/**
 * The display protocol: anything that can show itself has a `toMimeBundle()` method that returns a MIME bundle,
 * the way IPython objects offer `_repr_mimebundle_`. Every bundle has a `text/plain` part, used by terminals,
 * tests and diffs; richer parts (`text/html`, `image/png` as base64, `application/vnd.plotly.v1+json`) are optional.
 *
 * The kernel uses it for a cell's last value (`execute_result`) and for `display(x)`; values of types the kit does not
 * own (tensors, DataFrames, models) get their bundle from the adapters registered in `registry.ts`.
 */

/** A MIME bundle: MIME type → data. Binary data (PNG) is base64 text, JSON types are plain objects. */
export type MimeBundle = { 'text/plain': string } & Record<string, unknown>;

/** Per-MIME-type metadata, as in Jupyter's display_data (for example image width and height). */
export type MimeMetadata = Record<string, unknown>;

/** An object that knows how to show itself. */
export interface Displayable {
  toMimeBundle(): MimeBundle;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toMimeBundle?: unknown }).toMimeBundle === 'function'
  );
}
