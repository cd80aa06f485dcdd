import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export type Handle = (
  body: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
) => void;

/** A merchant handler on 127.0.0.1 (port 0), closed when the test ends. */
export async function startHandler(handle: Handle) {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      handle(body, req, res);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/wxpay/notify`, bodies };
}

export function reply(
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string,
) {
  res.writeHead(status, contentType ? { 'Content-Type': contentType } : {});
  res.end(body);
}
