/**
 * The inputs of this kernel session, for `history_request` (JupyterLab's notebook and console history, the
 * completer's history suggestions). Only the current session is kept, in memory, as session number 1; the kernel
 * keeps no history database across restarts (ipykernel keeps one in IPython's SQLite file).
 */

/** The content of a history_request (Jupyter messaging spec). */
export interface HistoryRequest {
  output?: boolean;
  raw?: boolean;
  hist_access_type?: 'range' | 'tail' | 'search';
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** `[session, line, input]`, or `[session, line, [input, output]]` when output was requested (output: null). */
export type HistoryEntry = [number, number, string] | [number, number, [string, null]];

const SESSION = 1;

/** Converts a glob pattern (`*` and `?`, as IPython's search uses) to a regular expression. */
function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export class HistoryLog {
  private readonly entries: { line: number; input: string }[] = [];

  /** Records the input of execution `line` (its execution count). */
  add(line: number, input: string): void {
    this.entries.push({ line, input });
  }

  answer(req: HistoryRequest): HistoryEntry[] {
    let found = this.entries;
    switch (req.hist_access_type) {
      case 'range': {
        // Sessions <= 0 count back from the current one (0 is the current); only the current one is kept.
        const session = req.session ?? 0;
        if (session !== SESSION && session !== 0) return [];
        const start = req.start ?? 1;
        const stop = req.stop ?? Number.POSITIVE_INFINITY;
        found = found.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case 'search': {
        const re = globToRegExp(req.pattern ?? '*');
        found = found.filter((e) => re.test(e.input));
        if (req.unique) {
          const seen = new Set<string>();
          found = [...found]
            .reverse()
            .filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined)
            .reverse();
        }
        if (req.n !== undefined && req.n > 0) found = found.slice(-req.n);
        break;
      }
      case 'tail':
      default:
        if (req.n !== undefined && req.n >= 0) found = req.n === 0 ? [] : found.slice(-req.n);
        break;
    }
    return found.map((e): HistoryEntry =>
      req.output ? [SESSION, e.line, [e.input, null]] : [SESSION, e.line, e.input],
    );
  }
}
