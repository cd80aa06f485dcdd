import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  billFileName,
  checkBillDays,
  dayRange,
  oldestTradeBillDay,
  parseBillDate,
  writeFileAtomic,
} from '../../src/core/download/index.js';

/** 2024-06-15 12:00 in Beijing (04:00 UTC). */
const NOON = new Date('2024-06-15T04:00:00Z');

describe('bill dates', () => {
  it('reads YYYYMMDD and YYYY-MM-DD, refusing impossible days', () => {
    expect(parseBillDate('20240229')).toBe('20240229');
    expect(parseBillDate('2024-01-05')).toBe('20240105');
    expect(() => parseBillDate('20230229')).toThrow(UsageError);
    expect(() => parseBillDate('2024011')).toThrow(
      '--date "2024011" is not a date; write it as YYYYMMDD, e.g. 20240101.',
    );
  });

  it('lists every day of a range across a month end', () => {
    expect(dayRange('20240228', '20240302')).toEqual([
      '20240228',
      '20240229',
      '20240301',
      '20240302',
    ]);
    expect(() => dayRange('20240302', '20240301')).toThrow(UsageError);
  });

  it('keeps the last 3 months of trade bills, clamping to month ends', () => {
    expect(oldestTradeBillDay(NOON)).toBe('20240315');
    expect(oldestTradeBillDay(new Date('2024-05-31T04:00:00Z'))).toBe(
      '20240229',
    );
  });

  it('uses the Beijing date, not the UTC one', () => {
    // 2024-06-15 17:00 UTC is already the 16th in Beijing: the 15th is done.
    const evening = new Date('2024-06-15T17:00:00Z');
    expect(checkBillDays(['20240615'], evening, 'trade').days).toEqual([
      '20240615',
    ]);
    expect(() => checkBillDays(['20240615'], NOON, 'trade')).toThrow(
      /no bill for 20240615 yet/,
    );
  });

  it('refuses days older than 3 months, and fund-flow days before 2017-06-01', () => {
    expect(() => checkBillDays(['20240314'], NOON, 'trade')).toThrow(
      '20240314 is older than 3 months; WeChat serves trade bills for the last 3 months only (from 20240315).',
    );
    expect(checkBillDays(['20240315'], NOON, 'trade').days).toHaveLength(1);
    expect(checkBillDays(['20170601'], NOON, 'fundflow').days).toHaveLength(1);
    expect(() => checkBillDays(['20170531'], NOON, 'fundflow')).toThrow(
      UsageError,
    );
  });

  it("warns before 10:00 Beijing time that yesterday's bill may not be ready", () => {
    const early = new Date('2024-06-15T00:30:00Z'); // 08:30 in Beijing
    expect(checkBillDays(['20240614'], early, 'trade').notices).toEqual([
      'It is 08:xx in Beijing: the bill for 20240614 may still be being generated (ready after 10:00).',
    ]);
    expect(checkBillDays(['20240614'], NOON, 'trade').notices).toEqual([]);
  });

  it('allows today for the simulator', () => {
    expect(
      checkBillDays(['20240615'], NOON, 'trade', { allowToday: true }).days,
    ).toEqual(['20240615']);
  });
});

describe('bill files', () => {
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'wxpay-dl-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('names files by kind, type and day', () => {
    expect(billFileName('bill', 'ALL', '20240101', false)).toBe(
      'bill-ALL-20240101.csv',
    );
    expect(billFileName('fundflow', 'Basic', '20240101', true)).toBe(
      'fundflow-Basic-20240101.csv.gz',
    );
  });

  it('replaces a file whole and leaves no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'bill-ALL-20240101.csv');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, Buffer.from([0xef, 0xbb, 0xbf, 0x41]));
    expect(readFileSync(path)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x41]));
    expect(readdirSync(dir)).toEqual(['bill-ALL-20240101.csv']);
  });

  it('leaves the earlier file intact when the write fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'bill-ALL-20240101.csv');
    writeFileSync(path, 'earlier bill');
    const failing = {
      toString() {
        throw new Error('disk full');
      },
    } as unknown as string;
    await expect(writeFileAtomic(path, failing)).rejects.toThrow();
    expect(readFileSync(path, 'utf8')).toBe('earlier bill');
    expect(readdirSync(dir)).toEqual(['bill-ALL-20240101.csv']);
  });
});
