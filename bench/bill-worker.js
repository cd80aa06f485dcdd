// One measured pass of bench/bill.js, run in its own process so its peak
// RSS is its own. Prints one JSON line: { rows, ms, maxRssMiB }.
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const [mode, ...files] = process.argv.slice(2);

/** The bare pass: readline and split, nothing else. */
async function bare(paths) {
  let rows = 0;
  for (const path of paths) {
    const lines = createInterface({
      input: createReadStream(path),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.split(',').length > 1) rows += 1;
    }
  }
  return rows;
}

async function parse(path) {
  const { openBill } = await import('../dist/core/bill/index.js');
  const bill = await openBill(createReadStream(path, { highWaterMark: 65536 }));
  let rows = 0;
  for await (const batch of bill.batches()) rows += batch.length;
  if (!bill.totals().checks.ok) throw new Error('summary check failed');
  return rows;
}

async function reconcileFiles(billPath, ordersPath) {
  const { openBill, openOrders, reconcile, RECONCILE_FIELDS } =
    await import('../dist/core/bill/index.js');
  const bill = await openBill(createReadStream(billPath), {
    select: RECONCILE_FIELDS,
  });
  const orders = await openOrders(createReadStream(ordersPath));
  let findings = 0;
  const report = await reconcile(bill, orders, () => {
    findings += 1;
  });
  if (findings !== 0) throw new Error(`unexpected findings: ${findings}`);
  return report.bill.payments + report.bill.refunds + report.orders.rows;
}

/** The whole CLI, `bill parse FILE --format ndjson`, stdout to /dev/null. */
async function cli(path) {
  // The shipped bundle, as bin/wxpay.js loads it.
  const { main, processIO } = await import('../dist/bin/wxpay.cjs');
  const code = await main(
    ['bill', 'parse', path, '--format', 'ndjson'],
    processIO(),
  );
  if (code !== 0) throw new Error(`exit ${code}`);
  return 0;
}

const start = performance.now();
const rows =
  mode === 'bare'
    ? await bare(files)
    : mode === 'parse'
      ? await parse(files[0])
      : mode === 'reconcile'
        ? await reconcileFiles(files[0], files[1])
        : await cli(files[0]);
const ms = performance.now() - start;
process.stderr.write(
  `${JSON.stringify({ rows, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
