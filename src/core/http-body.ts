import type { IncomingMessage } from 'node:http';

/**
 * Reads an HTTP request body up to `maxBytes`, for every receiver wxpay runs
 * (notification and push listeners, the simulator). Past the cap nothing
 * more is kept, but the rest is drained up to `drainLimit` so the client can
 * still read the 413; a client that goes on sending past that gives `cut`,
 * and the caller closes the connection. A client that goes away before its
 * body is complete gives `aborted`: a broken sender, not a large body.
 */
export function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  drainLimit = Math.max(maxBytes * 4, 8 * 1024 * 1024),
): Promise<Buffer | 'too_large' | 'cut' | 'aborted'> {
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
    // Past the cap, a sender that gives up is still one that sent too much.
    const gone = () => resolve(size > maxBytes ? 'cut' : 'aborted');
    req.on('error', gone);
    req.on('aborted', gone);
  });
}
