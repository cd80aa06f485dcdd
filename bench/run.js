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

// One width per column, shared by the header and the rows.
const WIDTHS = [12, 40, 24, 44, 6, 12, 0];
console.log(
  ['area', 'measure', 'value', 'baseline', 'ratio', 'goal', 'met']
    .map((h, i) => h.padEnd(WIDTHS[i]))
    .join(' '),
);
for (const row of rows) {
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  console.log(
    [
      row.area,
      row.name,
      `${format(row.value)} ${row.unit}`,
      `${format(row.baseline)} ${row.unit} (${row.baselineName})`,
      row.ratio === undefined ? '' : row.ratio.toFixed(2),
      row.goal ?? '',
      met,
    ]
      .map((cell, i) => cell.padEnd(WIDTHS[i]))
      .join(' '),
  );
}
process.exitCode = failures ? 1 : 0;
