/**
 * Turns any value into a MIME bundle: first the value's own `toMimeBundle()`, then adapters registered for
 * foreign types (tensors, DataFrames, models), then a plain-text form.
 */
import { inspect } from 'node:util';
import { isDisplayable, type MimeBundle } from './protocol';

/** An adapter for a type the kit does not own. `matches` must be cheap and must not throw. */
export interface MimeAdapter {
  name: string;
  matches(value: unknown): boolean;
  toMimeBundle(value: unknown): MimeBundle;
}

const adapters: MimeAdapter[] = [];

/** Registers an adapter; a later adapter with the same name replaces the earlier one. */
export function registerMimeAdapter(adapter: MimeAdapter): void {
  const i = adapters.findIndex((a) => a.name === adapter.name);
  if (i >= 0) adapters[i] = adapter;
  else adapters.push(adapter);
}

/** The plain-text form of any value (what a terminal shows). */
export function plainText(value: unknown): string {
  return typeof value === 'string' ? value : inspect(value, { depth: 4, colors: false, maxArrayLength: 20 });
}

export function mimeBundleOf(value: unknown): MimeBundle {
  if (isDisplayable(value)) return value.toMimeBundle();
  for (const adapter of adapters) {
    if (adapter.matches(value)) return adapter.toMimeBundle(value);
  }
  return { 'text/plain': plainText(value) };
}
