/**
 * Which execute requests to abort after an error, following the Jupyter messaging spec: when a request fails and
 * its `stop_on_error` is true (the default), the kernel aborts the execute requests already queued behind it;
 * requests that arrive afterwards run normally. When `stop_on_error` is false, nothing is aborted.
 *
 * Porting note: tslab aborts every request that arrives within 200 ms of any error, whatever its `stop_on_error`
 * says (https://github.com/yunabe/tslab/issues/19). nbclient sends `stop_on_error: false` under
 * `--allow-errors` and sends the next cell right after the reply, so tslab silently skipped that cell.
 * Like ipykernel, we also drain requests already waiting on the socket when the error happened: they are marked
 * aborted until the event loop has had one turn to receive them.
 */
export class AbortPolicy {
  private epoch = 0;
  private draining = false;

  /** Called when a request arrives; returns its ticket. */
  arrive(): number {
    return this.draining ? this.epoch - 1 : this.epoch;
  }

  /** Whether a request with this ticket must be aborted instead of run. */
  shouldAbort(ticket: number): boolean {
    return ticket < this.epoch;
  }

  /** Called when a request failed. */
  failed(stopOnError: boolean): void {
    if (!stopOnError) return;
    this.epoch++;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
    });
  }
}
