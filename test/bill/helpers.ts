import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { onTestFinished } from 'vitest';
import {
  generateBill,
  generateOrders,
  type GenerateOrdersOptions,
} from '../../src/core/bill/generate.js';

/** A temp folder for one test, removed when it ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxpay-bill-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a file into a fresh temp folder and returns its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

export const billText = (options: GenerateOrdersOptions) =>
  [...generateBill(options)].join('');

export const ordersText = (options: GenerateOrdersOptions) =>
  [...generateOrders(options)].join('');

/** Bytes fed one at a time: every chunk boundary a parser can meet. */
export function byteByByte(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i++) yield data.subarray(i, i + 1);
    })(),
  );
}

/**
 * Expected integer units of a decimal string, worked out with string
 * operations only (independent of the code under test).
 */
export function units(text: string, scale: number): number {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const digits = `${whole}${fraction.padEnd(scale, '0')}`;
  const value = Number(digits);
  return negative ? -value : value;
}
