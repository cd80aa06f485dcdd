import { stripVTControlCharacters } from 'node:util';
import { expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../src/core/profile.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import { runCli, tempConfigDir, type CliResult } from '../helpers/cli.js';
import { APPID, KEY, MCH_ID } from '../http/support.js';

export { DEMO_PROFILE };
export const OPENID = 'oTESTopenid0000000000000000A';

/** A config folder with one profile, made current. */
export function configWith(name: string, profile: Profile): string {
  const dir = tempConfigDir();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ current: name, profiles: { [name]: profile } }),
    { mode: 0o600 },
  );
  return dir;
}

/** A profile for a local fake WeChat signed with the case key. */
export function localProfile(baseUrl: string, extra: Profile = {}): Profile {
  return {
    appid: APPID,
    mch_id: MCH_ID,
    key: KEY,
    notify_url: 'https://example.com/wxpay/notify',
    base_url: baseUrl,
    mp_base_url: baseUrl,
    app_secret: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    ...extra,
  };
}

/** Runs the CLI on a config folder. */
export function cli(
  dir: string,
  args: string[],
  tty = false,
): Promise<CliResult> {
  return runCli(args, { env: { WXPAY_CONFIG_DIR: dir }, tty });
}

/** Piped output is plain: no colour or cursor codes. */
export function expectPlain(result: CliResult): void {
  expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
}

/** Reads `name<TAB>value` lines. */
export function tabFields(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t') as [string, string]),
  );
}

/** `order create` for the current (real) profile, JSAPI, 1 fen. */
export const REAL_CREATE = [
  'order',
  'create',
  '--body',
  'Test',
  '--amount',
  '0.01',
  '--openid',
  OPENID,
];

export function createArgs(...more: string[]): string[] {
  return [
    'order',
    'create',
    '--mock',
    '--body',
    'Test',
    '--amount',
    '0.01',
    ...more,
  ];
}

/** Pays an order in the mock state of a config folder (no notification). */
export async function payInMock(
  dir: string,
  outTradeNo: string,
): Promise<void> {
  const { Simulator } = await import('../../src/sim/simulator.js');
  await new Simulator({ configDir: dir }).payOrder(outTradeNo, {
    notify: false,
  });
}

/** Creates a mock JSAPI order and returns its out_trade_no. */
export async function mockOrder(
  dir: string,
  ...more: string[]
): Promise<string> {
  const result = await cli(dir, createArgs('--openid', OPENID, ...more));
  expect(result.code).toBe(0);
  return tabFields(result.stdout).out_trade_no;
}
