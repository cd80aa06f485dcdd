import type { Server, ServerResponse } from 'node:http';

export interface GracefulStopOptions {
  /**
   * How long answers in flight may take before the rest is cut (default
   * 10 s): a client that stalls mid-request must not hold the stop for the
   * minutes Node's own request timeout allows.
   */
  graceMs?: number;
}

/** Told how many requests a stop waits for, when there are any. */
export type OnStopWait = (count: number, graceMs: number) => void;

/**
 * Prepares a graceful stop for a server wxpay runs (notification and push
 * listeners, the simulator): the returned function stops accepting, lets
 * every request already received get its answer, then closes what is left.
 * Closing every connection at once would cut the request in flight, which
 * the sender (WeChat, or a test) then counts as a failure and retries.
 */
export function closeWhenAnswered(
  server: Server,
  options: GracefulStopOptions = {},
): (onWait?: OnStopWait) => Promise<void> {
  const unanswered = new Set<Promise<void>>();
  server.on('request', (_request, response: ServerResponse) => {
    const answered = new Promise<void>((resolve) =>
      response.once('close', () => resolve()),
    );
    unanswered.add(answered);
    void answered.then(() => unanswered.delete(answered));
  });
  let stopping: Promise<void> | undefined;
  const graceMs = options.graceMs ?? 10_000;
  return (onWait) => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      server.closeIdleConnections();
      if (unanswered.size > 0) {
        onWait?.(unanswered.size, graceMs);
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
          timer.unref();
        });
        await Promise.race([Promise.allSettled([...unanswered]), grace]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    })();
    return stopping;
  };
}
