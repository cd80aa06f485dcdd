/** The streams and environment a command runs with; tests pass fakes. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Touching process.stdin opens it (a socket or TTY handle): about a
    // millisecond that `--help` and most commands never need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/** Reads all of a stream (stdin or a file stream) into a Buffer. */
export async function readAll(
  stream: NodeJS.ReadableStream,
  maxBytes = 64 * 1024 * 1024,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > maxBytes) {
      throw new RangeError(`input is larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
