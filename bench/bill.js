// Bills: parse speed and peak RSS beside a bare readline-and-split pass
// over the same file, and reconciliation of one million bill rows against
// one million orders beside the bare pass over both files. Every pass runs
// in its own process (peak RSS is per process); the bill comes from the
// project's deterministic generator. Goals (issue 5): parse >= 0.8 of the
// bare speed with peak RSS <= 100 MiB; reconcile <= 2.5 x the bare time
// with peak RSS <= 512 MiB.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateBill, generateOrders } from '../dist/core/bill/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const ORDERS = 1_000_000;

function pass(mode, files) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'bill-worker.js'), mode, ...files],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`${mode} failed (${code}): ${stderr.slice(-400)}`));
    });
  });
}

/**
 * Runs the measured pass and its baseline alternately and keeps the best
 * time of each (load on a shared machine comes in bursts), and the highest
 * peak RSS of the measured pass.
 */
async function compare(measured, baseline, rounds) {
  let best;
  let base;
  let rss = 0;
  for (let i = 0; i < rounds; i++) {
    const b = await baseline();
    const m = await measured();
    base = !base || b.ms < base.ms ? b : base;
    best = !best || m.ms < best.ms ? m : best;
    rss = Math.max(rss, m.maxRssMiB);
  }
  return { best, base, rss };
}

async function write(path, chunks) {
  await pipeline(Readable.from(chunks), createWriteStream(path));
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'wxpay-bench-bill-'));
  try {
    const bill = join(dir, 'bill-ALL.csv');
    const orders = join(dir, 'orders.csv');
    await write(bill, generateBill({ orders: ORDERS }));
    await write(orders, generateOrders({ orders: ORDERS }));
    const parse = await compare(
      () => pass('parse', [bill]),
      () => pass('bare', [bill]),
      2,
    );
    const cli = await pass('cli', [bill]);
    const rec = await compare(
      () => pass('reconcile', [bill, orders]),
      () => pass('bare', [bill, orders]),
      2,
    );
    const rate = (p) => (p.rows / p.ms) * 1000;
    const parseRatio = rate(parse.best) / rate(parse.base);
    const recRatio = rec.best.ms / rec.base.ms;
    return [
      {
        name: `parse ${(parse.best.rows / 1e6).toFixed(1)}M-row bill`,
        value: rate(parse.best),
        unit: 'rows/s',
        baseline: rate(parse.base),
        baselineName: 'readline + split',
        ratio: parseRatio,
        goal: '>= 0.80',
        met: parseRatio >= 0.8,
      },
      {
        name: 'parse peak RSS',
        value: parse.rss,
        unit: 'MiB',
        baseline: parse.base.maxRssMiB,
        baselineName: 'readline + split',
        ratio: parse.rss / parse.base.maxRssMiB,
        goal: '<= 100 MiB',
        met: parse.rss <= 100,
      },
      {
        name: 'bill parse --format ndjson (CLI) peak RSS',
        value: cli.maxRssMiB,
        unit: 'MiB',
        baseline: parse.base.maxRssMiB,
        baselineName: 'readline + split',
        ratio: cli.maxRssMiB / parse.base.maxRssMiB,
        goal: '<= 100 MiB',
        met: cli.maxRssMiB <= 100,
      },
      {
        name: 'reconcile 1M bill orders vs 1M orders',
        value: rec.best.ms / 1000,
        unit: 's',
        baseline: rec.base.ms / 1000,
        baselineName: 'readline + split, both files',
        ratio: recRatio,
        goal: '<= 2.50',
        met: recRatio <= 2.5,
      },
      {
        name: 'reconcile peak RSS',
        value: rec.rss,
        unit: 'MiB',
        baseline: rec.base.maxRssMiB,
        baselineName: 'readline + split, both files',
        ratio: rec.rss / rec.base.maxRssMiB,
        goal: '<= 512 MiB',
        met: rec.rss <= 512,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
