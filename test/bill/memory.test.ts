import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBill } from '../../src/core/bill/generate.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The heap limit the child runs under: far below what the rows need. */
const HEAP_MIB = 40;

describe('bill parse keeps memory flat on a bill larger than its heap', () => {
  let dir: string;
  let cli: string;
  let bill: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxpay-bill-memory-'));
    const { build } = await import('rolldown');
    await build({
      input: join(here, 'child', 'cli-entry.ts'),
      platform: 'node',
      logLevel: 'silent',
      output: {
        dir: join(dir, 'cli'),
        format: 'esm',
        entryFileNames: 'cli.mjs',
      },
    });
    cli = join(dir, 'cli', 'cli.mjs');
    bill = join(dir, 'bill.csv.gz');
    // 250,000 orders and 25,000 refunds: about 75 MB of bill text, and
    // several hundred MB as row objects if anything kept them.
    const { createGzip } = await import('node:zlib');
    await pipeline(
      Readable.from(generateBill({ orders: 250_000 })),
      createGzip({ level: 1 }),
      createWriteStream(bill),
    );
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function parseInChild(format: string) {
    return new Promise<{ code: number; maxRssMiB: number; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            `--max-old-space-size=${HEAP_MIB}`,
            cli,
            'bill',
            'parse',
            bill,
            '--format',
            format,
          ],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { PATH: process.env.PATH, NO_COLOR: '1' },
          },
        );
        let stderr = '';
        child.stderr.on(
          'data',
          (chunk: Buffer) => (stderr += chunk.toString()),
        );
        child.on('error', reject);
        child.on('exit', (code) => {
          const kib = Number(/maxrss_kib=(\d+)/.exec(stderr)?.[1] ?? 0);
          resolve({ code: code ?? 1, maxRssMiB: kib / 1024, stderr });
        });
      },
    );
  }

  it.each(['ndjson', 'csv', 'json'])(
    `streams --format %s to the end under a ${HEAP_MIB} MiB heap`,
    async (format) => {
      expect(statSync(bill).size).toBeGreaterThan(1_000_000);
      const result = await parseInChild(format);
      expect(result.stderr).not.toContain('heap out of memory');
      expect(result.code).toBe(0);
      expect(result.maxRssMiB).toBeGreaterThan(0);
      expect(result.maxRssMiB).toBeLessThan(200);
    },
    120_000,
  );
});
