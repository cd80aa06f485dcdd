import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MOCK_ORDER_ARGS, tempConfigDir } from '../helpers/cli.js';

// The shipped CLI is the CommonJS bundle under dist/bin (scripts/
// bundle-cli.js), not the sources the other tests run; npm test builds it.
const root = fileURLToPath(new URL('../..', import.meta.url));
const bundleDir = join(root, 'dist', 'bin');
const bin = join(root, 'bin', 'wxpay.js');

// Node 20.17 and 20.18 cannot require() an ES module; newer 20.x can unless
// told not to. Every child runs with the older behaviour.
const NODE_20_17 = '--no-experimental-require-module';

function bundleFiles(dir = bundleDir): string[] {
  if (!existsSync(dir)) {
    throw new Error(`${dir} is missing: run \`npm run build\` first.`);
  }
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? bundleFiles(join(dir, entry.name))
      : entry.name.endsWith('.cjs')
        ? [join(dir, entry.name)]
        : [],
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd: root },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

const wxpay = (args: string[], env?: Record<string, string>) =>
  run([NODE_20_17, bin, ...args], env);

describe('the CommonJS CLI bundle', () => {
  it('require()s only packages that Node 20.17 can require', async () => {
    const required = new Set<string>();
    const imported = new Set<string>();
    for (const file of bundleFiles()) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
        if (!name.startsWith('node:')) required.add(packageName(name));
      }
      for (const [, name] of text.matchAll(/\bimport\("([^".][^"]*)"\)/g)) {
        imported.add(packageName(name));
      }
    }
    expect([...required].sort()).toContain('commander');
    // The ES-module-only packages must arrive through import().
    for (const name of ['chalk', 'conf', '@inquirer/prompts']) {
      expect(required).not.toContain(name);
      expect(imported).toContain(name);
    }
    const probe = `
      const { createRequire } = require('node:module');
      const load = createRequire(${JSON.stringify(join(bundleDir, 'wxpay.cjs'))});
      const failed = [];
      for (const name of ${JSON.stringify([...required, 'chalk'])}) {
        try { load(name); } catch (error) { failed.push(name + ' ' + error.code); }
      }
      process.stdout.write(JSON.stringify(failed));`;
    const result = await run([NODE_20_17, '-e', probe]);
    // chalk is the control: it must fail, or the flag did nothing.
    expect(JSON.parse(result.stdout)).toEqual(['chalk ERR_REQUIRE_ESM']);
  });

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(
      readFileSync(join(root, 'package.json'), 'utf8'),
    );
    const result = await wxpay(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('prints the root help and suggests a mistyped command', async () => {
    const help = await wxpay(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: wxpay');
    expect(help.stdout).toContain('Exit codes:');
    const typo = await wxpay(['ordr']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('order');
  });

  it('creates an order on the simulator and stores profiles', async () => {
    const dir = tempConfigDir();
    const order = await wxpay([...MOCK_ORDER_ARGS, '--json'], {
      WXPAY_CONFIG_DIR: dir,
    });
    expect(order.code, order.stderr).toBe(0);
    expect(JSON.parse(order.stdout)).toMatchObject({ total_fee: '1' });
    const set = await wxpay(['config', 'set', 'mch_id', '1900000109'], {
      WXPAY_CONFIG_DIR: dir,
    });
    expect(set.code, set.stderr).toBe(0);
    const get = await wxpay(['config', 'get', 'mch_id'], {
      WXPAY_CONFIG_DIR: dir,
    });
    expect(get).toMatchObject({ code: 0, stdout: '1900000109\n' });
  });

  it('maps a missing key to exit 4 with a hint and no stack trace', async () => {
    const result = await wxpay(['sign', 'appid=wx1', 'mch_id=1'], {
      WXPAY_CONFIG_DIR: tempConfigDir(),
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says the build is missing or incomplete, exit 4, even with --json', async () => {
    // A copy of the package without dist/bin, then one missing a chunk.
    const copy = tempConfigDir();
    cpSync(join(root, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const unbuilt = await run([join(copy, 'bin', 'wxpay.js'), '--json']);
    expect(unbuilt.code).toBe(4);
    expect(unbuilt.stderr).toContain('hint: Run `npm run build`');
    expect(JSON.parse(unbuilt.stdout).error).toMatchObject({
      code: 'INSTALL_INCOMPLETE',
      exit_code: 4,
    });

    cpSync(bundleDir, join(copy, 'dist', 'bin'), { recursive: true });
    const chunks = join(copy, 'dist', 'bin', 'chunks');
    const diagnoseChunk = readdirSync(chunks).find((f) =>
      f.startsWith('diagnose-'),
    );
    rmSync(join(chunks, diagnoseChunk!));
    const partial = await run(
      [
        join(copy, 'bin', 'wxpay.js'),
        'sign',
        'diagnose',
        'a=1',
        '--sign',
        'A'.repeat(32),
        '--mock',
      ],
      { WXPAY_CONFIG_DIR: tempConfigDir() },
    );
    expect(partial.code).toBe(4);
    expect(partial.stderr).toContain('A part of wxpay is missing');
    expect(partial.stderr).not.toContain('unexpected');
  });

  it('keeps going when stderr is closed early', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'sign', 'a=1', '--explain', '--mock'],
      { cwd: root, env: { PATH: process.env.PATH ?? '' } },
    );
    child.stderr.destroy();
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[0-9A-F]{32}\n$/);
  });
});
