import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import { parseXml } from '../../src/core/xml.js';
import { tempConfigDir } from '../helpers/cli.js';
import {
  localServer,
  signedAnswer,
  type LocalServer,
} from '../http/support.js';
import {
  cli,
  configWith,
  expectPlain,
  localProfile,
  mockOrder,
  payInMock,
  tabFields,
} from './support.js';

describe('wxpay order query', () => {
  it('shows NOTPAY for a new order, piped as name<TAB>value', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    const result = await cli(dir, [
      'order',
      'query',
      '--mock',
      '--out-trade-no',
      no,
    ]);
    expect(result.code).toBe(0);
    expectPlain(result);
    expect(tabFields(result.stdout)).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: no,
    });
  });

  it('shows SUCCESS, the paid amount in fen and yuan and the meaning on a terminal', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await payInMock(dir, no);
    const result = await cli(
      dir,
      ['order', 'query', '--mock', '--out-trade-no', no],
      true,
    );
    const text = stripVTControlCharacters(result.stdout);
    expect(result.code).toBe(0);
    expect(text).toMatch(/trade_state\s+SUCCESS \(paid\)/);
    expect(text).toMatch(/total_fee\s+1 fen \(0\.01 yuan\)/);
    expect(text).toMatch(
      /time_end\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Beijing time/,
    );
  });

  it('gives WeChat fields plus the meaning as one JSON document, and queries by transaction_id', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await payInMock(dir, no);
    const first = JSON.parse(
      (
        await cli(dir, [
          'order',
          'query',
          '--mock',
          '--out-trade-no',
          no,
          '--json',
        ])
      ).stdout,
    );
    expect(first).toMatchObject({
      trade_state: 'SUCCESS',
      out_trade_no: no,
      total_fee: '1',
      trade_state_meaning: 'paid',
    });
    expect(first.sign).toBeUndefined();
    const byId = await cli(dir, [
      'order',
      'query',
      '--mock',
      '--transaction-id',
      first.transaction_id,
      '--json',
    ]);
    expect(JSON.parse(byId.stdout).out_trade_no).toBe(no);
  });

  it('piped time_end is ISO 8601 UTC', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await payInMock(dir, no);
    const out = tabFields(
      (await cli(dir, ['order', 'query', '--mock', '--out-trade-no', no]))
        .stdout,
    );
    expect(out.time_end).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(out.total_fee).toBe('1');
  });

  it('exits 1 with the explanation for an unknown order', async () => {
    const result = await cli(tempConfigDir(), [
      'order',
      'query',
      '--mock',
      '--out-trade-no',
      'NOSUCH000001',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ORDERNOTEXIST');
    expect(result.stderr).toContain('hint:');
  });

  it('names the flags when no order is given and there is no terminal', async () => {
    const result = await cli(tempConfigDir(), ['order', 'query', '--mock']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out-trade-no');
  });
});

describe('wxpay order query --watch', () => {
  const WATCH = [
    'order',
    'query',
    '--out-trade-no',
    'W123456',
    '--watch',
    '--interval',
  ];

  function stateServer(states: string[]): Promise<LocalServer> {
    let n = 0;
    return localServer((_req, body) => {
      const no = parseXml(body).fields.out_trade_no;
      const state = states[Math.min(n++, states.length - 1)];
      const paid: Record<string, string> =
        state === 'SUCCESS'
          ? { total_fee: '1', cash_fee: '1', transaction_id: '4200000001' }
          : {};
      return {
        body: signedAnswer({ trade_state: state, out_trade_no: no, ...paid }),
      };
    });
  }

  it('polls until the order is paid, then exits 0', async () => {
    const server = await stateServer(['NOTPAY', 'USERPAYING', 'SUCCESS']);
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...WATCH, '20ms', '--json']);
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ trade_state: 'SUCCESS' });
  });

  it('draws a spinner on a terminal stderr only', async () => {
    const server = await stateServer(['NOTPAY', 'SUCCESS']);
    const dir = configWith('shop', localProfile(server.url));
    const tty = await cli(dir, [...WATCH, '50ms'], true);
    expect(tty.stderr).toContain('NOTPAY: waiting');
    expect(stripVTControlCharacters(tty.stdout)).toMatch(
      /trade_state\s+SUCCESS/,
    );
    const piped = await cli(dir, [...WATCH, '50ms']);
    expect(piped.stderr).toBe('');
  });

  it('stops cleanly on Ctrl-C, printing the last state, exit 130', async () => {
    const server = await stateServer(['NOTPAY']);
    const dir = configWith('shop', localProfile(server.url));
    const running = cli(dir, [...WATCH, '50ms']);
    while (server.requests.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(dispatchInterrupt()).toBe(true);
    const result = await running;
    expect(result.code).toBe(130);
    expect(tabFields(result.stdout).trade_state).toBe('NOTPAY');
    expect(result.stderr).toContain('Stopped watching; last state NOTPAY.');
  });

  it('stops at a final unpaid state with exit 1', async () => {
    const server = await stateServer(['NOTPAY', 'CLOSED']);
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...WATCH, '20ms']);
    expect(result.code).toBe(1);
    expect(tabFields(result.stdout).trade_state).toBe('CLOSED');
  });

  it('gives up after --timeout with exit 1 and the last state', async () => {
    const server = await stateServer(['NOTPAY']);
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...WATCH, '50ms', '--timeout', '200ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Still NOTPAY after 200ms');
    expect(tabFields(result.stdout).trade_state).toBe('NOTPAY');
  });
});
