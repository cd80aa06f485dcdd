import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  /** Text fed to stdin (stdin is never a TTY when given). */
  stdin?: string | Buffer;
  /** Pretend stdout, stderr and stdin are terminals. */
  tty?: boolean;
}

/** A fresh config folder for one test, removed when the test ends. */
export function tempConfigDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxpay-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sink(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Runs the CLI in this process with fake streams. The environment holds only
 * what the test gives plus WXPAY_CONFIG_DIR (a temp folder unless given), so
 * no test reads the real home folder or the developer's WXPAY_* variables.
 */
export async function runCli(
  args: string[],
  options: CliRunOptions = {},
): Promise<CliResult> {
  const tty = options.tty ?? false;
  const out = sink(tty);
  const err = sink(tty);
  const stdin = Readable.from(
    options.stdin === undefined ? [] : [Buffer.from(options.stdin)],
  ) as Readable & { isTTY?: boolean };
  stdin.isTTY = tty && options.stdin === undefined;
  const env: NodeJS.ProcessEnv = {
    WXPAY_CONFIG_DIR: options.env?.WXPAY_CONFIG_DIR ?? tempConfigDir(),
    ...options.env,
  };
  const io: CliIO = { stdout: out.stream, stderr: err.stream, stdin, env };
  const code = await main(args, io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The README's main job: a JSAPI test order on the built-in simulator. */
export const MOCK_ORDER_ARGS = [
  'order',
  'create',
  '--mock',
  '--body',
  'Test order',
  '--amount',
  '0.01',
  '--openid',
  'oTESTopenid0000000000000000A',
];
