import type { Server, ServerResponse } from 'node:http';

/**
 * Prepares a graceful stop for a server wxpay runs (notification and push
 * listeners, the simulator): the returned function stops accepting, lets
 * every request already received get its answer, then closes what is left.
 * Closing every connection at once would cut the request in flight, which
 * the sender (WeChat, or a test) then counts as a failure and retries.
 */
export function closeWhenAnswered(server: Server): () => Promise<void> {
  const unanswered = new Set<Promise<void>>();
  server.on('request', (_request, response: ServerResponse) => {
    const answered = new Promise<void>((resolve) =>
      response.once('close', () => resolve()),
    );
    unanswered.add(answered);
    void answered.then(() => unanswered.delete(answered));
  });
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      server.closeIdleConnections();
      await Promise.allSettled([...unanswered]);
      server.closeAllConnections();
      await closed;
    })();
    return stopping;
  };
}
