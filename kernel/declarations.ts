/**
 * Keeps the declarations of a cell that compiled but then threw, so that the next cell can use its variables.
 *
 * Porting note: tslab's executor remembers the type declarations of earlier cells (`prevDecl`) only when a cell
 * finishes without an exception. A cell that throws at run time (or is interrupted) has still run its
 * statements up to the failure and its values exist, but their names vanish for the type checker: after an
 * interrupted training loop, `model` or `history` gave "Cannot find name". IPython keeps such names. We wrap
 * tslab's converter and own the declarations ourselves: they advance after every cell that compiled.
 */
import type { CompletionInfo, ConvertResult, Converter, Diagnostic } from 'tslab/dist/converter';
import type { CodeMetadata } from 'tslab/dist/metadata';

export class DeclarationKeepingConverter implements Converter {
  private readonly inner: Converter;
  private declarations = '';
  private pending: string | undefined;

  constructor(inner: Converter) {
    this.inner = inner;
  }

  /** Converts `src` against our declarations (the executor's `prevDecl` argument is ignored). */
  convert(_prevDecl: string, src: string): ConvertResult {
    const result = this.inner.convert(this.declarations, src);
    this.pending = result.diagnostics.length === 0 ? (result.declOutput ?? '') : undefined;
    return result;
  }

  /** After a cell ran (finished or threw): its declarations become visible to later cells if it compiled. */
  commitLastCell(): void {
    if (this.pending !== undefined) this.declarations = this.pending;
    this.pending = undefined;
  }

  inspect(_prevDecl: string, src: string, position: number): ReturnType<Converter['inspect']> {
    return this.inner.inspect(this.declarations, src, position);
  }

  complete(_prevDecl: string, src: string, position: number): CompletionInfo {
    return this.inner.complete(this.declarations, src, position);
  }

  addModule(name: string, content: string, meta?: CodeMetadata): Diagnostic[] {
    return this.inner.addModule(name, content, meta);
  }

  close(): void {
    this.inner.close();
  }
}
