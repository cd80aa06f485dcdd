import type { IncomingMessage } from 'node:http';

/**
 * Reads an HTTP request body up to `maxBytes`, for every receiver wxpay runs
 * (notification and push listeners, the simulator). Past the cap nothing
 * more is kept, but the rest is drained up to `drainLimit` so the client can
 * still read the 413; a client that goes on sending past that, or goes
 * away, gives `cut`, and the caller closes the connection.
 */
export function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  drainLimit = Math.max(maxBytes * 4, 8 * 1024 * 1024),
): Promise<Buffer | 'too_large' | 'cut'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > drainLimit) resolve('cut');
    });
    req.on('end', () =>
      resolve(size > maxBytes ? 'too_large' : Buffer.concat(chunks)),
    );
    req.on('error', () => resolve('cut'));
    req.on('aborted', () => resolve('cut'));
  });
}
