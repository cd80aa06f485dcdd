import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/core/xml.js';
import { tempConfigDir } from '../helpers/cli.js';
import { localServer, signedAnswer } from '../http/support.js';
import {
  OPENID,
  cli,
  configWith,
  createArgs,
  localProfile,
  mockOrder,
  payInMock,
} from './support.js';

/** Every `name<TAB>…` line of piped output, cells split. */
function rows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
}

/** `wxpay order query --mock --out-trade-no NO [more]`. */
function mockQuery(dir: string, no: string, ...more: string[]) {
  return cli(dir, ['order', 'query', '--mock', '--out-trade-no', no, ...more]);
}

describe('order amounts: one JSON type, yuan in every output', () => {
  it('order query piped shows trade_state with its meaning and total_fee in fen and yuan', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    await payInMock(dir, no);
    const result = await mockQuery(dir, no);
    expect(result.code).toBe(0);
    const lines = rows(result.stdout);
    expect(lines[0]).toEqual(['trade_state', 'SUCCESS', 'paid']);
    expect(lines).toContainEqual(['total_fee', '1', '0.01']);
    expect(lines).toContainEqual(['cash_fee', '1', '0.01']);
    expect(lines).toContainEqual(['out_trade_no', no]);
  });

  it('order query piped shows NOTPAY with its meaning', async () => {
    const dir = tempConfigDir();
    const no = await mockOrder(dir);
    const result = await mockQuery(dir, no);
    expect(rows(result.stdout)[0]).toEqual([
      'trade_state',
      'NOTPAY',
      'not paid yet',
    ]);
  });

  it('create --json and query --json both give total_fee as WeChat’s string, numbers under amounts', async () => {
    const dir = tempConfigDir();
    const created = await cli(dir, [
      'order',
      'create',
      '--mock',
      '--body',
      'Test',
      '--total-fee',
      '1999',
      '--openid',
      OPENID,
      '--json',
    ]);
    expect(created.code).toBe(0);
    const createDoc = JSON.parse(created.stdout);
    expect(createDoc.total_fee).toBe('1999');
    expect(createDoc.amounts).toEqual({
      total_fee: { fen: 1999, yuan: '19.99' },
    });
    await payInMock(dir, createDoc.out_trade_no);
    const queried = await mockQuery(dir, createDoc.out_trade_no, '--json');
    const queryDoc = JSON.parse(queried.stdout);
    expect(queryDoc.total_fee).toBe('1999');
    expect(typeof queryDoc.total_fee).toBe(typeof createDoc.total_fee);
    expect(queryDoc.amounts).toMatchObject({
      total_fee: { fen: 1999, yuan: '19.99' },
      cash_fee: { fen: 1999, yuan: '19.99' },
    });
    expect(queryDoc.trade_state_meaning).toBe('paid');
  });

  it('order create piped gives the yuan as a third column of total_fee', async () => {
    const result = await cli(tempConfigDir(), createArgs('--openid', OPENID));
    expect(rows(result.stdout)).toContainEqual(['total_fee', '1', '0.01']);
    expect(result.stdout).not.toContain('amounts');
  });

  it('escapes control characters the server echoes (attach) in piped query output', async () => {
    const server = await localServer(() => ({
      body: signedAnswer({
        trade_state: 'NOTPAY',
        out_trade_no: 'A123456',
        attach: 'x\tSUCCESS\n\u009b31m',
      }),
    }));
    const dir = configWith('local', localProfile(server.url));
    const result = await cli(dir, [
      'order',
      'query',
      '--out-trade-no',
      'A123456',
    ]);
    expect(result.code).toBe(0);
    expect(rows(result.stdout)).toContainEqual([
      'attach',
      'x\\tSUCCESS\\n\\x9b31m',
    ]);
  });
});

describe('order create with the embedded simulator (--mock)', () => {
  it('MWEB: says on stderr that the mweb_url died with the command', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--trade-type', 'MWEB', '--client-ip', '203.0.113.7'),
    );
    expect(result.code).toBe(0);
    expect(rows(result.stdout).find(([n]) => n === 'mweb_url')?.[1]).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/__wxpay\/mweb\?/,
    );
    expect(result.stderr).toContain(
      'This mweb_url points at the embedded simulator, which stopped with this command: it no longer answers. For a live mweb_url, run `wxpay mock serve` and point the mock profile at it',
    );
    expect(result.stderr).not.toContain('works for 5 minutes');
  });

  it('--dry-run names the embedded simulator instead of a dead port', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--openid', OPENID, '--dry-run'),
    );
    expect(result.code).toBe(0);
    expect(parseXml(result.stdout).fields.total_fee).toBe('1');
    expect(result.stderr).toContain(
      'Dry run: nothing was sent. It would be POSTed to the embedded simulator (/pay/unifiedorder):',
    );
    expect(result.stderr).not.toMatch(/127\.0\.0\.1:\d+/);
  });

  it('--dry-run --json gives the stable url mock:/pay/unifiedorder', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--openid', OPENID, '--dry-run', '--json'),
    );
    expect(JSON.parse(result.stdout)).toMatchObject({
      dry_run: true,
      url: 'mock:/pay/unifiedorder',
    });
  });

  it('a real profile still names its URL in --dry-run and the 5-minute note for MWEB', async () => {
    const server = await localServer((_req, body) => {
      const sent = parseXml(body).fields;
      return {
        body: signedAnswer({
          prepay_id: 'wxPrepay1',
          trade_type: sent.trade_type,
          mweb_url: 'https://wx.tenpay.test/cgi-bin/mmpayweb-bin/checkmweb?x=1',
        }),
      };
    });
    const dir = configWith('local', localProfile(server.url));
    const args = [
      'order',
      'create',
      '--body',
      'Test',
      '--amount',
      '0.01',
      '--trade-type',
      'MWEB',
      '--client-ip',
      '203.0.113.7',
    ];
    const dry = await cli(dir, [...args, '--dry-run']);
    expect(dry.stderr).toContain(
      `It would be POSTed to ${server.url}/pay/unifiedorder:`,
    );
    const sent = await cli(dir, args);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(
      "The mweb_url works for 5 minutes, in the payer's mobile browser.",
    );
  });
});
