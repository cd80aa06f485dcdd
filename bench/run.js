// `npm run bench`: every performance goal of the issues, each figure printed
// beside a baseline measured in the same run on the same machine. Areas are
// plain modules exporting run(); a missing or failing area is reported and
// the others still run.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const AREAS = ['sign', 'startup', 'orders', 'notify', 'bill'];
const only = process.argv.slice(2);

function format(value) {
  if (typeof value !== 'number') return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return value.toFixed(2);
}

const rows = [];
let failures = 0;
for (const area of AREAS) {
  if (only.length && !only.includes(area)) continue;
  const file = join(here, `${area}.js`);
  if (!existsSync(file)) {
    console.error(`${area}: no benchmark yet`);
    continue;
  }
  process.stderr.write(`running ${area}…\n`);
  try {
    const module = await import(pathToFileURL(file).href);
    for (const row of await module.run()) rows.push({ area, ...row });
  } catch (error) {
    failures += 1;
    console.error(`${area}: failed: ${error.stack ?? error}`);
  }
}

console.log(
  ['area', 'measure', 'value', 'baseline', 'ratio', 'goal', 'met']
    .map((h) => h.padEnd(12))
    .join(' '),
);
for (const row of rows) {
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  console.log(
    [
      row.area.padEnd(12),
      row.name.padEnd(40),
      `${format(row.value)} ${row.unit}`.padEnd(24),
      `${format(row.baseline)} ${row.unit} (${row.baselineName})`.padEnd(44),
      (row.ratio === undefined ? '' : row.ratio.toFixed(2)).padEnd(6),
      (row.goal ?? '').padEnd(12),
      met,
    ].join(' '),
  );
}
process.exitCode = failures ? 1 : 0;
