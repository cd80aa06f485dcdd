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
  'wxpay.js',
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

// [label, arguments, goal as a ratio to `node -e 0` (none: shown only)].
const CASES = [
  ['wxpay --version', ['--version'], 1.4],
  ['wxpay --help', ['--help'], 1.4],
  // What every real command pays before it works: one group loaded.
  ['wxpay order --help', ['order', '--help'], undefined],
];

export async function run() {
  const runs = [['node -e 0', ['-e', '0']]].concat(
    CASES.map(([label, args]) => [label, [bin, ...args]]),
  );
  const samples = new Map(runs.map(([label]) => [label, []]));
  for (const [, args] of runs) time(args);
  for (let i = 0; i < RUNS; i++) {
    for (const [label, args] of runs) samples.get(label).push(time(args));
  }
  const baseline = median(samples.get('node -e 0'));
  return CASES.map(([label, , goal]) => {
    const value = median(samples.get(label));
    return {
      name: `cold start, ${label}`,
      value,
      unit: 'ms',
      baseline,
      baselineName: 'node -e 0',
      ratio: value / baseline,
      goal: goal === undefined ? undefined : `<= ${goal.toFixed(2)}`,
      met: goal === undefined ? undefined : value / baseline <= goal,
    };
  });
}
