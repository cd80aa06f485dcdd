import type { Server, ServerResponse } from 'node:http';

export interface GracefulStopOptions {
  /**
   * How long answers in flight may take before the rest is cut (default
   * 10 s): a client that stalls mid-request must not hold the stop for the
   * minutes Node's own request timeout allows.
   */
  graceMs?: number;
  /** Called when the grace period ends with work still open, before the cut. */
  onCut?: () => void;
}

/** Told how many requests a stop waits for, when there are any. */
export type OnStopWait = (count: number, graceMs: number) => void;

export interface GracefulStop {
  /**
   * Stops accepting, lets every request already received get its answer and
   * every tracked task finish (within the grace period), then closes what
   * is left.
   */
  stop(onWait?: OnStopWait): Promise<void>;
  /**
   * Work of a request that goes on after its connection may have closed
   * (a forward, a log line): the stop waits for it too, so a summary
   * printed after the stop counts it.
   */
  track(task: Promise<unknown>): void;
}

/**
 * Prepares a graceful stop for a server wxpay runs (notification and push
 * listeners, the simulator). Closing every connection at once would cut the
 * request in flight, which the sender (WeChat, or a test) then counts as a
 * failure and retries.
 */
export function closeWhenAnswered(
  server: Server,
  options: GracefulStopOptions = {},
): GracefulStop {
  const open = new Set<Promise<unknown>>();
  // Requests, counted apart from tracked work, for the wait notice.
  let unanswered = 0;
  const track = (task: Promise<unknown>) => {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    open.add(settled);
    void settled.then(() => open.delete(settled));
  };
  server.on('request', (_request, response: ServerResponse) => {
    unanswered += 1;
    track(
      new Promise<void>((resolve) =>
        response.once('close', () => {
          unanswered -= 1;
          resolve();
        }),
      ),
    );
  });
  const graceMs = options.graceMs ?? 10_000;
  let stopping: Promise<void> | undefined;
  const stop = (onWait?: OnStopWait) => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      server.closeIdleConnections();
      if (open.size > 0) {
        if (unanswered > 0) onWait?.(unanswered, graceMs);
        let timer: NodeJS.Timeout | undefined;
        // Not unref'd: the stop must end (and its summary print) even when
        // nothing else keeps the process alive.
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        const finished = await Promise.race([
          Promise.all([...open]).then(() => true),
          grace.then(() => false),
        ]);
        clearTimeout(timer);
        if (!finished) options.onCut?.();
      }
      server.closeAllConnections();
      await closed;
      // Work cut short by the closed connections ends in the next turns;
      // give it those turns, within the same bound, before the summary.
      await Promise.race([
        Promise.all([...open]),
        new Promise((resolve) => setTimeout(resolve, 50)),
      ]);
    })();
    return stopping;
  };
  return { stop, track };
}
