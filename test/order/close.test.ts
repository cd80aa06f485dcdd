import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempConfigDir } from '../helpers/cli.js';
import {
  cli,
  createArgs,
  expectPlain,
  mockOrder,
  OPENID,
  payInMock,
  tabFields,
} from './support.js';

describe('wxpay order close', () => {
  it('closes an unpaid order, warns about the 5-minute rule, then query shows CLOSED', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    const result = await cli(dir, [
      'order',
      'close',
      '--mock',
      '--out-trade-no',
      no,
    ]);
    expect(result.code).toBe(0);
    expectPlain(result);
    expect(tabFields(result.stdout)).toEqual({
      out_trade_no: no,
      trade_state: 'CLOSED',
    });
    expect(result.stderr).toContain('5-minute minimum');
    const query = await cli(dir, [
      'order',
      'query',
      '--mock',
      '--out-trade-no',
      no,
    ]);
    expect(tabFields(query.stdout).trade_state).toBe('CLOSED');
  });

  it('reports an order that was already closed as done, in JSON', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await cli(dir, ['order', 'close', '--mock', '--out-trade-no', no]);
    const again = await cli(dir, [
      'order',
      'close',
      '--mock',
      '--out-trade-no',
      no,
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      out_trade_no: no,
      trade_state: 'CLOSED',
      already_closed: true,
    });
  });

  it('refuses to close a paid order (ORDERPAID) with exit 1', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await payInMock(dir, no);
    const result = await cli(
      dir,
      ['order', 'close', '--mock', '--out-trade-no', no],
      true,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ORDERPAID');
    expect(result.stderr).toContain('cannot be closed');
  });

  it('prints the closed order for people on a terminal', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    const result = await cli(
      dir,
      ['order', 'close', '--mock', '--out-trade-no', no],
      true,
    );
    expect(stripVTControlCharacters(result.stdout)).toBe(`closed  ${no}\n`);
  });
});

describe('wxpay order create after payment (B42 ORDERPAID)', () => {
  it('shows the paid order instead of failing', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir, '--out-trade-no', 'B42PAID00001');
    await payInMock(dir, no);
    const again = await cli(dir, [
      ...createArgs('--openid', OPENID, '--out-trade-no', 'B42PAID00001'),
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already paid (ORDERPAID)');
    expect(JSON.parse(again.stdout)).toMatchObject({
      trade_state: 'SUCCESS',
      already_paid: true,
    });
  });
});
