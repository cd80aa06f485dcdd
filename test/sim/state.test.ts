import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileStateStore,
  StateLockTimeoutError,
} from '../../src/sim/state-store.js';
import { tempConfigDir } from '../helpers/cli.js';
import { callPay, orderParams, testSimulator } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

function stateFile(): string {
  return join(tempConfigDir(), 'mock', 'state.json');
}

function readState(file: string) {
  return JSON.parse(readFileSync(file, 'utf8')) as {
    version: number;
    areas: Record<string, Record<string, unknown>>;
  };
}

describe('state file', () => {
  it('is written by rename: valid JSON, mode 0600, no temp or lock files left', async () => {
    const file = stateFile();
    const store = fileStateStore(file);
    for (let i = 0; i < 5; i += 1) {
      await store.withState('demo', (state) => {
        state.n = i;
      });
    }
    expect(readState(file)).toEqual({ version: 1, areas: { demo: { n: 4 } } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(file))).toEqual(['state.json']);
  });

  it('keeps the previous state when an update throws', async () => {
    const file = stateFile();
    const store = fileStateStore(file);
    await store.withState('demo', (state) => {
      state.kept = true;
    });
    await expect(
      store.withState('demo', (state) => {
        state.kept = false;
        throw new Error('half done');
      }),
    ).rejects.toThrow('half done');
    expect(await store.withState('demo', (state) => state.kept)).toBe(true);
    expect(readState(file).areas.demo).toEqual({ kept: true });
  });

  it('moves a damaged file aside and starts afresh', async () => {
    const file = stateFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"version":1,"areas":{"demo":');
    const store = fileStateStore(file);
    await store.withState('demo', (state) => {
      state.fresh = true;
    });
    expect(readState(file).areas.demo).toEqual({ fresh: true });
    expect(
      readdirSync(dirname(file)).some((name) =>
        name.startsWith('state.json.damaged-'),
      ),
    ).toBe(true);
  });

  it('sees changes another store instance made (another process writes the same way)', async () => {
    const file = stateFile();
    const one = fileStateStore(file);
    const two = fileStateStore(file);
    await one.withState('demo', (state) => {
      state.n = 1;
    });
    await two.withState('demo', (state) => {
      state.n = (state.n as number) + 1;
    });
    expect(await one.withState('demo', (state) => state.n)).toBe(2);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const file = stateFile();
    mkdirSync(dirname(file), { recursive: true });
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]);
    const pid = Number(dead.stdout.toString());
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid, token: 'gone', at: Date.now() }),
    );
    const store = fileStateStore(file, { lockTimeoutMs: 5000 });
    await store.withState('demo', (state) => {
      state.ok = true;
    });
    expect(readState(file).areas.demo).toEqual({ ok: true });
  });

  it('takes over an empty lock file that has been there for seconds', async () => {
    const file = stateFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await fileStateStore(file, { lockTimeoutMs: 5000 }).withState(
      'demo',
      (state) => {
        state.ok = true;
      },
    );
    expect(readdirSync(dirname(file))).toEqual(['state.json']);
  });

  it('waits for a lock held by a live process, and gives up after lockTimeoutMs', async () => {
    const file = stateFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: process.ppid, token: 'alive', at: Date.now() }),
    );
    const store = fileStateStore(file, { lockTimeoutMs: 150 });
    await expect(
      store.withState('demo', () => undefined),
    ).rejects.toBeInstanceOf(StateLockTimeoutError);
    // The live owner's lock is left alone.
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).token).toBe(
      'alive',
    );
  });

  it('keeps all of 20 parallel unifiedorders to one server', async () => {
    const file = stateFile();
    const sim = await testSimulator({ stateFile: file });
    const params = Array.from({ length: 20 }, () => orderParams());
    const answers = await Promise.all(
      params.map((p) => callPay(sim, '/pay/unifiedorder', p)),
    );
    expect(answers.every((a) => a.fields.result_code === 'SUCCESS')).toBe(true);
    const orders = (
      readState(file).areas.pay.merchants as Record<string, { orders: object }>
    )['1900000109'].orders;
    expect(Object.keys(orders).sort()).toEqual(
      params.map((p) => p.out_trade_no).sort(),
    );
  });
});

describe('state file shared by several processes', () => {
  let bundle: string;
  let bundleDir: string | undefined;

  afterAll(() => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const { build } = await import('rolldown');
    const dir = mkdtempSync(join(tmpdir(), 'wxpay-sim-bundle-'));
    bundleDir = dir;
    const out = join(dir, 'sim-bundle.mjs');
    await build({
      input: join(here, 'child', 'entry.ts'),
      platform: 'node',
      logLevel: 'silent',
      output: { file: out, format: 'esm' },
    });
    bundle = out;
  });

  function worker(file: string, mode: string, id: number, count: number) {
    return new Promise<number>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(here, 'child', 'worker.mjs'),
          bundle,
          file,
          mode,
          String(id),
          String(count),
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? 1));
    });
  }

  it('loses no update when 4 processes increment one counter 50 times each', async () => {
    const file = stateFile();
    const codes = await Promise.all(
      [0, 1, 2, 3].map((id) => worker(file, 'counter', id, 50)),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(readState(file).areas.counter).toEqual({
      value: 200,
      seen_0: 50,
      seen_1: 50,
      seen_2: 50,
      seen_3: 50,
    });
  });

  it('keeps all 20 orders made in parallel by 4 simulator processes on one state file', async () => {
    const file = stateFile();
    const codes = await Promise.all(
      [0, 1, 2, 3].map((id) => worker(file, 'orders', id, 5)),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const orders = (
      readState(file).areas.pay.merchants as Record<string, { orders: object }>
    )['1900000109'].orders;
    expect(Object.keys(orders)).toHaveLength(20);
    expect(Object.keys(orders)).toContain('P3N004XYZ');
    expect(readdirSync(dirname(file))).toEqual(['state.json']);
  });
});
