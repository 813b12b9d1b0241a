/**
 * One send at a time per ZeroMQ socket, in order.
 *
 * zeromq 6 allows one send in progress per socket. Its `send()` completes at once until the socket has done 512
 * such sends without waiting; the next one waits for a turn of the event loop, and any send before that turn throws
 * EBUSY ("Socket is busy writing"). tslab sends without waiting, so the first burst of output that crossed such a
 * 513th message in one turn threw: for iopub, where nothing ever waits, that is any kernel that has published about
 * 500 messages and then writes two in a row (a cell printing many lines, or `busy` followed by `execute_input`).
 * When the throwing write was the kernel's own report of an uncaught exception, the kernel died (exit code 7). Seen
 * in the nbgrader round trip: a cell printing some 900 warning lines killed the kernel at once.
 *
 * `serializeSends` returns the socket with its `send` wrapped (a Proxy: zeromq's socket objects cannot be changed):
 * it sends at once when the socket can take the message, and otherwise queues it behind the send in progress;
 * queued messages leave in order. Every other property is the socket's own, methods bound to it.
 */

interface SendingSocket {
  send(message: unknown, ...options: unknown[]): Promise<void>;
}

function isBusy(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EBUSY';
}

export function serializeSends<T extends SendingSocket>(socket: T): T {
  const send = socket.send.bind(socket);
  const queue: { args: unknown[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  const settled = (p: Promise<void>) =>
    p.then(
      () => undefined,
      () => undefined,
    );
  const flush = (): void => {
    while (queue.length > 0) {
      const item = queue[0];
      let sent: Promise<void>;
      try {
        sent = send(...(item.args as [unknown]));
      } catch (err) {
        if (isBusy(err)) {
          // Still busy: try again after the send in progress, and at the earliest on the next turn.
          void settled(inFlight).then(() => setImmediate(flush));
          return;
        }
        queue.shift();
        item.reject(err);
        continue;
      }
      queue.shift();
      inFlight = sent;
      sent.then(item.resolve, item.reject);
    }
  };
  const serialSend = (...args: unknown[]): Promise<void> => {
    if (queue.length === 0) {
      try {
        inFlight = send(...(args as [unknown]));
        return inFlight;
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
    }
    return new Promise<void>((resolve, reject) => {
      queue.push({ args, resolve, reject });
      if (queue.length === 1) void settled(inFlight).then(flush);
    });
  };
  return new Proxy(socket, {
    get(target, prop) {
      if (prop === 'send') return serialSend;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
