import { connect } from 'node:net';

/**
 * Sends a POST that promises 100 bytes, sends five and closes: a sender that
 * went away mid-body, which a receiver must not call oversize.
 */
export function postCutOff(base: string, path: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<xml>`,
      );
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}
