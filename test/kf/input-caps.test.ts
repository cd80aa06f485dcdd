import { execFileSync } from 'node:child_process';
import { createWriteStream, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTokenCache } from '../../src/core/kf/token-file.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { KF_ENV as ENV } from './helpers.js';

const HUNDRED_MB = 100 * 1024 * 1024;

/** A 100 MB file that takes no disk space (sparse). */
function hugeFile(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, HUNDRED_MB);
  return path;
}

/**
 * A named pipe fed up to `total` bytes; resolves with how many bytes the
 * reader accepted before it closed its end.
 */
function feedPipe(path: string, total: number): Promise<number> {
  execFileSync('mkfifo', [path]);
  return new Promise((resolve) => {
    const stream = createWriteStream(path);
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    let accepted = 0;
    const pump = () => {
      while (accepted < total) {
        const ok = stream.write(chunk, (error) => {
          if (!error) accepted += chunk.length;
        });
        if (!ok) {
          stream.once('drain', pump);
          return;
        }
      }
      stream.end();
    };
    stream.on('error', () => resolve(accepted));
    stream.on('close', () => resolve(accepted));
    stream.once('open', pump);
  });
}

describe('kf commands refuse an oversize file before reading it', () => {
  it('kf decrypt names the file size without holding the file (exit 2)', async () => {
    const dir = tempConfigDir();
    const result = await runCli(
      ['kf', 'decrypt', hugeFile(dir, 'push.xml'), '--skip-signature'],
      { env: ENV },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: Refused a push body of ${HUNDRED_MB} bytes; the limit is 262144.`,
    );
  });

  it.skipIf(process.platform === 'win32')(
    'kf decrypt reads at most the cap + 1 bytes from a pipe',
    async () => {
      const dir = tempConfigDir();
      const fifo = join(dir, 'push.fifo');
      const fed = feedPipe(fifo, 16 * 1024 * 1024);
      const result = await runCli(['kf', 'decrypt', fifo, '--skip-signature'], {
        env: ENV,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'error: Refused a push body of more than 262144 bytes; the limit is 262144.',
      );
      // The writer got at most the cap, a pipe buffer and a chunk through.
      expect(await fed).toBeLessThan(1024 * 1024);
    },
  );

  it('kf decrypt from stdin stops at the cap', async () => {
    const result = await runCli(['kf', 'decrypt', '-', '--skip-signature'], {
      env: ENV,
      stdin: Buffer.alloc(300 * 1024, 0x7b),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: Refused a push body of more than 262144 bytes; the limit is 262144.',
    );
  });

  it('kf encrypt refuses an oversize message file the same way', async () => {
    const dir = tempConfigDir();
    const result = await runCli(
      ['kf', 'encrypt', hugeFile(dir, 'message.json')],
      { env: ENV },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${HUNDRED_MB} bytes; the limit is 262144`);
  });

  it('kf send --image refuses a 100 MB file by its size, before uploading', async () => {
    const dir = tempConfigDir();
    const result = await runCli(
      [
        'kf',
        'send',
        '--mock',
        '--openid',
        'oWxPayMockUser00000000000001',
        '--image',
        hugeFile(dir, 'big.png'),
      ],
      { env: { WXPAY_CONFIG_DIR: dir } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: big.png is ${HUNDRED_MB} bytes; images are limited to 2097152 bytes (2 MB).`,
    );
  });

  it('--token-file and --aes-key-file are refused by size (exit 2)', async () => {
    const dir = tempConfigDir();
    const huge = hugeFile(dir, 'token.txt');
    for (const flag of ['--token-file', '--aes-key-file']) {
      const result = await runCli(['kf', 'decrypt', '-', flag, huge], {
        env: ENV,
        stdin: '{}',
      });
      expect([flag, result.code]).toEqual([flag, 2]);
      expect(result.stderr).toContain(
        `error: ${flag} ${huge} is ${HUNDRED_MB} bytes; a secret is a few dozen characters.`,
      );
    }
  });

  it('a missing file keeps its plain message', async () => {
    const result = await runCli(
      ['kf', 'decrypt', '/nonexistent/wxpay/push.xml'],
      { env: ENV },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: Cannot read the input file /nonexistent/wxpay/push.xml: no such file.',
    );
  });

  it('an access-token cache over 1 MiB is ignored, not read', async () => {
    const dir = tempConfigDir();
    const path = join(dir, 'access-tokens.json');
    const entry = {
      access_token: 'TOKEN',
      expires_at: 2_000_000_000,
      fetched_at: 1_700_000_000,
    };
    const body = JSON.stringify({ version: 1, tokens: { k: entry } });
    writeFileSync(path, `${body}${' '.repeat(1024 * 1024)}`);
    expect(await new FileTokenCache(path).get('k')).toBeUndefined();
    writeFileSync(path, body);
    expect(await new FileTokenCache(path).get('k')).toEqual(entry);
  });
});
