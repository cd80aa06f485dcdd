// Cold start of `wxpay --version` and `wxpay --help` against `node -e 0`
// (goal: at most 1.4 times). Median of many runs, alternating the commands
// so that machine noise hits all of them alike.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'bin',
  'wxpay.cjs',
);
const RUNS = 25;

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) =>
  values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run() {
  const cases = {
    base: ['-e', '0'],
    version: [bin, '--version'],
    help: [bin, '--help'],
  };
  const samples = { base: [], version: [], help: [] };
  for (const args of Object.values(cases)) time(args);
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(cases))
      samples[name].push(time(args));
  }
  const baseline = median(samples.base);
  return ['version', 'help'].map((name) => {
    const value = median(samples[name]);
    return {
      name: `cold start, wxpay --${name}`,
      value,
      unit: 'ms',
      baseline,
      baselineName: 'node -e 0',
      ratio: value / baseline,
      goal: '<= 1.40',
      met: value / baseline <= 1.4,
    };
  });
}
