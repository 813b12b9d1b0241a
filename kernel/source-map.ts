/**
 * A minimal reader of version-3 source maps (the `mappings` VLQ string), enough to map a generated position back
 * to its original one. Used to map a cell's stack-frame positions through tslab's two compile steps back to the
 * TypeScript the learner wrote (see cell-code.ts).
 */

/** A 0-based position. */
export interface Position {
  line: number;
  column: number;
}

/** One segment: generated column -> original line and column (0-based). */
interface Segment {
  generatedColumn: number;
  originalLine: number;
  originalColumn: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment's VLQ fields. */
function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = BASE64_VALUE.get(c);
    if (digit === undefined)
      throw new Error(`source map: invalid base64 character ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return values;
}

export class SourceMapLookup {
  /** Segments per generated line, sorted by generated column. */
  private readonly lines: Segment[][];

  constructor(mappings: string) {
    this.lines = [];
    let sourceIndex = 0;
    let originalLine = 0;
    let originalColumn = 0;
    for (const lineText of mappings.split(';')) {
      const segments: Segment[] = [];
      let generatedColumn = 0;
      for (const segText of lineText.split(',')) {
        if (segText === '') continue;
        const fields = decodeVlq(segText);
        generatedColumn += fields[0];
        if (fields.length >= 4) {
          sourceIndex += fields[1];
          originalLine += fields[2];
          originalColumn += fields[3];
          segments.push({ generatedColumn, originalLine, originalColumn });
        }
      }
      segments.sort((a, b) => a.generatedColumn - b.generatedColumn);
      this.lines.push(segments);
    }
    void sourceIndex; // single-source maps only: the index is read to keep the fields aligned
  }

  /** Parses a source map's JSON text. */
  static fromJson(json: string): SourceMapLookup {
    const parsed = JSON.parse(json) as { version?: number; mappings?: string };
    if (parsed.version !== 3 || typeof parsed.mappings !== 'string') {
      throw new Error(`source map: expected version 3 with a mappings string; got version ${parsed.version}`);
    }
    return new SourceMapLookup(parsed.mappings);
  }

  /**
   * The original position of a generated one: the last segment at or before the column on that line (or the
   * line's first segment when the column lies before all of them); undefined for lines without segments.
   */
  original(pos: Position): Position | undefined {
    const segments = this.lines[pos.line];
    if (!segments || segments.length === 0) return undefined;
    let best = segments[0];
    for (const s of segments) {
      if (s.generatedColumn > pos.column) break;
      best = s;
    }
    return { line: best.originalLine, column: best.originalColumn };
  }
}
