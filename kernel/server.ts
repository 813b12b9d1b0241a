/**
 * The lesson kernel's Jupyter server: tslab's ZmqServer (sockets, signing, kernel_info, completion, inspection,
 * is_complete) with the execute path and a few replies replaced so that the kernel speaks the protocol the way
 * JupyterLab, nbconvert and nbclient expect from the Python kernel.
 */
import { mimeBundleOf, memoryReport } from '../src/display';
import { clearInterrupt } from '../src/runtime';
import { ZmqServer, type JupyterHandlerImpl } from 'tslab/dist/jupyter';
import { versions as tslabVersions } from 'tslab';
import { AbortPolicy } from './abort-policy';
import type { CellOutcome, CellRunner } from './cell-runner';
import { endCellRun, startCellRun } from './cell-scope';
import { HistoryLog, type HistoryRequest } from './history';
import { setCurrentWriter } from './display-sink';
import { serializeSends } from './serial-send';
import type { TensorLeakWatch } from './leak-watch';
import type { SessionRecorder } from './crash-record';
import { errorFromException, type ErrorContent } from './traceback';

/** tslab's message class is not exported; this is its type. */
type Message = Parameters<ZmqServer['handleKernelInfo']>[1];
type Socket = Parameters<ZmqServer['handleShellMessage']>[0];

interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** Message types tslab's dispatcher handles; for others it prints a warning into the last cell's stderr. */
const TSLAB_MESSAGE_TYPES = new Set([
  'kernel_info_request',
  'execute_request',
  'is_complete_request',
  'inspect_request',
  'complete_request',
  'comm_info_request',
  'shutdown_request',
]);

/** A cell consisting of only this line shows `memoryReport()`. */
export const MEMORY_MAGIC = '%memory';

const DELIM = '<IDS|MSG>';

/** The msg_type of a raw multipart message, read without verifying it (tslab verifies when it parses). */
function peekMessageType(frames: Buffer[]): string | undefined {
  const i = frames.findIndex((f) => f.toString() === DELIM);
  if (i < 0 || frames.length < i + 3) return undefined;
  try {
    return (JSON.parse(frames[i + 2].toString()) as { msg_type?: string }).msg_type;
  } catch {
    return undefined;
  }
}

export interface LessonServerParts {
  /** tslab's handler: kernel_info, completion, inspection, is_complete. */
  handler: JupyterHandlerImpl;
  /** Runs cells through tslab's executor. */
  runner: CellRunner;
  /** Tensor leak warning, when a native engine is loaded. */
  leakWatch?: TensorLeakWatch;
  /** Version of this kit, for kernel_info. */
  version: string;
  /** Keeps the running cell on record for the supervisor's crash report (crash-record.ts). */
  session?: SessionRecorder;
  /** Why the kernel before this one died, shown (once) on stderr in the first cell that runs. */
  crashNotice?: string;
}

export class LessonServer extends ZmqServer {
  private readonly parts: LessonServerParts;
  private execCount = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly abortPolicy = new AbortPolicy();
  private running = false;
  private readonly history = new HistoryLog();
  /** The socket of the request tslab dispatches now (for replies to requests tslab does not know). */
  private shellSocket: Socket | undefined;
  private ended: Promise<void> = Promise.resolve();

  constructor(parts: LessonServerParts, connectionFile: string) {
    super(parts.handler, connectionFile);
    this.parts = parts;
  }

  /**
   * tslab's sockets, each sending one message at a time (serial-send.ts): without it, a burst of output crossing
   * zeromq's 512th immediate send threw EBUSY and could kill the kernel. Wrapped as soon as tslab has made and bound
   * them, before any request can arrive (sends only answer requests).
   */
  override async init(): Promise<void> {
    await super.init();
    this.iopub = serializeSends(this.iopub);
    this.shell = serializeSends(this.shell);
    this.control = serializeSends(this.control);
    this.stdin = serializeSends(this.stdin);
    this.hb = serializeSends(this.hb);
  }

  /** Whether a cell is running now (for the interrupt handler). */
  cellRunning(): boolean {
    return this.running;
  }

  /** Resolves when the cell running now (if any) has ended. */
  cellEnded(): Promise<void> {
    return this.ended;
  }

  /**
   * Porting note: tslab answers message types it does not know with `console.warn`, which lands in the stderr of
   * the last executed cell. Like ipykernel, we answer `history_request` (from this session's cells) and publish
   * busy/idle around every request, also those we do not answer. This matters when a front end connects:
   * JupyterLab ignores the status of kernel_info and comm_info requests (jupyter_server's
   * `untracked_message_types`), and learns the kernel's status from the busy/idle around the `history_request`
   * every notebook sends on connect; without it, the status read "Unknown" until the first cell ran.
   */
  override async handleShellMessage(sock: Socket, ...frames: Buffer[]): Promise<void> {
    const type = peekMessageType(frames);
    if (type === undefined || TSLAB_MESSAGE_TYPES.has(type)) return super.handleShellMessage(sock, ...frames);
    // tslab parses and verifies the message, publishes busy, warns about the type (silenced here; the dispatch up
    // to the warning is synchronous) and publishes idle; publishStatus answers history_request in between.
    this.shellSocket = sock;
    const warn = console.warn;
    console.warn = () => undefined;
    let handled: Promise<void>;
    try {
      handled = super.handleShellMessage(sock, ...frames);
    } finally {
      console.warn = warn;
    }
    return handled;
  }

  /**
   * Porting note: tslab publishes `busy` when an execute request arrives and `idle` when it ends, so a queued
   * cell looked idle while it waited and busy/idle pairs interleaved. Execute requests publish their own status
   * when they actually start and finish (see executeOne); other requests keep tslab's behaviour.
   */
  override publishStatus(status: string, parent: Message): void {
    if (parent.header.msg_type === 'execute_request') return;
    super.publishStatus(status, parent);
    if (status === 'busy' && parent.header.msg_type === 'history_request' && this.shellSocket) {
      this.reply(this.shellSocket, parent, 'history_reply', {
        status: 'ok',
        history: this.history.answer(parent.content as HistoryRequest),
      });
    }
  }

  private publish(parent: Message, msgType: string, content: object): void {
    const m = parent.createReply();
    m.header.msg_type = msgType;
    m.content = content;
    m.signAndSend(this.connInfo.key, this.iopub);
  }

  private reply(sock: Socket, parent: Message, msgType: string, content: object): void {
    const m = parent.createReply();
    m.header.msg_type = msgType;
    m.content = content;
    m.signAndSend(this.connInfo.key, sock);
  }

  override handleKernelInfo(sock: Socket, msg: Message): void {
    const base = this.parts.handler.handleKernel();
    this.reply(sock, msg, 'kernel_info_reply', {
      ...base,
      status: 'ok',
      implementation: 'lessonkit',
      implementation_version: this.parts.version,
      language_info: { ...base.language_info, version: tslabVersions.typescript },
      banner: `lessonkit ${this.parts.version}: TypeScript ${tslabVersions.typescript} on tslab ${tslabVersions.tslab}, Node ${process.version}`,
    });
  }

  /** Porting note: tslab replies to comm_info_request with msg_type `complete_reply`. */
  override handleCommInfoRequest(sock: Socket, msg: Message): void {
    this.reply(sock, msg, 'comm_info_reply', { status: 'ok', comms: {} });
  }

  /** Porting note: tslab always answers `restart: false`; the spec echoes the request's flag. */
  override handleShutdown(sock: Socket, msg: Message): void {
    const restart = Boolean((msg.content as { restart?: boolean }).restart);
    this.reply(sock, msg, 'shutdown_reply', { status: 'ok', restart });
  }

  /**
   * Porting note: tslab closes its sockets right after the shutdown reply and leaves the process to end by itself;
   * with the native TensorFlow runtime loaded it may not. We let the reply and the idle status leave, then exit.
   */
  override close(): void {
    setTimeout(() => {
      super.close();
      process.exit(0);
    }, 50);
  }

  /**
   * Porting note: tslab runs execute requests through its own TaskQueue, counts executions but publishes no
   * `execute_input`, prints results and errors as stream text, and aborts by time after errors. Here each request
   * gets an execution count (when store_history), `execute_input`, an `execute_result` with a MIME bundle, an
   * `error` message, and spec-conforming aborts (abort-policy.ts).
   */
  override async handleExecute(sock: Socket, msg: Message): Promise<void> {
    const ticket = this.abortPolicy.arrive();
    const run = this.queue.then(() => this.executeOne(sock, msg, ticket));
    this.queue = run.catch(() => undefined);
    await run;
  }

  private async executeOne(sock: Socket, msg: Message, ticket: number): Promise<void> {
    super.publishStatus('busy', msg);
    try {
      if (this.abortPolicy.shouldAbort(ticket)) {
        this.reply(sock, msg, 'execute_reply', { status: 'aborted', execution_count: this.execCount });
        return;
      }
      const req = msg.content as ExecuteRequest;
      const silent = Boolean(req.silent);
      const storeHistory = !silent && req.store_history !== false;
      if (storeHistory) this.execCount++;
      const count = this.execCount;
      if (storeHistory) this.history.add(count, req.code);
      if (!silent) this.publish(msg, 'execute_input', { code: req.code, execution_count: count });
      this.parts.session?.cellStarted(count, req.code);
      if (this.parts.crashNotice && !silent) {
        this.publish(msg, 'stream', { name: 'stderr', text: `${this.parts.crashNotice}\n` });
        this.parts.crashNotice = undefined;
      }

      const outcome = await this.runCell(msg, req.code, storeHistory ? count : undefined);
      let error: ErrorContent | undefined = outcome.status === 'error' ? outcome.error : undefined;
      if (outcome.status === 'ok' && outcome.hasValue && !silent) {
        try {
          this.publish(msg, 'execute_result', {
            execution_count: count,
            data: mimeBundleOf(outcome.value),
            metadata: {},
          });
        } catch (err) {
          error = errorFromException(err);
        }
      }
      const warning = this.parts.leakWatch?.cellEnded();
      if (warning) process.stderr.write(warning);
      if (error) {
        this.publish(msg, 'error', error);
        this.abortPolicy.failed(req.stop_on_error !== false);
        this.reply(sock, msg, 'execute_reply', { status: 'error', execution_count: count, ...error });
      } else {
        this.reply(sock, msg, 'execute_reply', {
          status: 'ok',
          execution_count: count,
          payload: [],
          user_expressions: {},
        });
      }
    } finally {
      super.publishStatus('idle', msg);
    }
  }

  /** Routes output to this cell (as tslab's handleExecuteImpl does) and runs the code. */
  private async runCell(msg: Message, code: string, count: number | undefined): Promise<CellOutcome> {
    const writeStream = (name: string, text: string) => this.publish(msg, 'stream', { name, text });
    // Python kernels forward output written after a cell ends to that cell; tslab does the same.
    process.stdout.write = this.parts.handler.createWriteToIopub('stdout', writeStream) as typeof process.stdout.write;
    process.stderr.write = this.parts.handler.createWriteToIopub('stderr', writeStream) as typeof process.stderr.write;
    setCurrentWriter((content, update) => this.publish(msg, update ? 'update_display_data' : 'display_data', content));
    clearInterrupt();
    this.parts.leakWatch?.cellStarts();
    let markEnded = () => {};
    this.ended = new Promise<void>((resolve) => (markEnded = resolve));
    startCellRun();
    this.running = true;
    try {
      if (code.trim() === MEMORY_MAGIC) {
        try {
          return { status: 'ok', hasValue: true, value: memoryReport() };
        } catch (err) {
          return { status: 'error', error: errorFromException(err) };
        }
      }
      return await this.parts.runner.run(code, count);
    } finally {
      this.running = false;
      endCellRun();
      markEnded();
    }
  }
}
