import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { verify } from '../../src/core/sign.js';
import { parseXml } from '../../src/core/xml.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import {
  KEY,
  localServer,
  signedAnswer,
  type LocalServer,
} from '../http/support.js';
import {
  DEMO_PROFILE,
  OPENID,
  cli,
  configWith,
  createArgs,
  expectPlain,
  localProfile,
  REAL_CREATE,
  tabFields,
} from './support.js';

const prompts = vi.hoisted(() => ({
  input: vi.fn(),
  password: vi.fn(),
  confirm: vi.fn(),
  select: vi.fn(),
}));
vi.mock('@inquirer/prompts', () => prompts);

function payParamsValid(
  params: Record<string, string>,
  appid: string,
  key: string,
): boolean {
  const { paySign, ...rest } = params;
  return verify({ appId: appid, ...rest, sign: paySign }, key, {
    signType: rest.signType as 'MD5',
  }).valid;
}

describe('wxpay order create --mock (JSAPI)', () => {
  it('prints name<TAB>value lines and the wx.requestPayment JSON when piped', async () => {
    const dir = tempConfigDir();
    const result = await cli(dir, createArgs('--openid', OPENID));
    expect(result.code).toBe(0);
    expectPlain(result);
    const out = tabFields(result.stdout);
    expect(Object.keys(out)).toEqual([
      'out_trade_no',
      'prepay_id',
      'trade_type',
      'total_fee',
      'request_payment',
    ]);
    expect(out).toMatchObject({ trade_type: 'JSAPI', total_fee: '1' });
    const pay = JSON.parse(out.request_payment);
    expect(Object.keys(pay)).toEqual([
      'timeStamp',
      'nonceStr',
      'package',
      'signType',
      'paySign',
    ]);
    expect(pay.package).toBe(`prepay_id=${out.prepay_id}`);
    expect(pay.timeStamp).toMatch(/^\d{10}$/);
    expect(payParamsValid(pay, DEMO_PROFILE.appid!, DEMO_PROFILE.key!)).toBe(
      true,
    );
    expect(result.stderr).toContain('created on the simulator for 0.01 yuan');
  });

  it('gives one JSON document with --json', async () => {
    const result = await cli(tempConfigDir(), [
      'order',
      'create',
      '--mock',
      '--body',
      'Test',
      '--total-fee',
      '250',
      '--openid',
      OPENID,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      trade_type: 'JSAPI',
      total_fee: '250',
      amounts: { total_fee: { fen: 250, yuan: '2.50' } },
      reentry: false,
    });
    expect(doc.request_payment.package).toBe(`prepay_id=${doc.prepay_id}`);
  });

  it('lays the parameters out for people on a terminal', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--openid', OPENID),
      true,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('wx.requestPayment parameters');
    expect(stripVTControlCharacters(result.stdout)).toMatch(
      /total_fee\s+1 fen \(0\.01 yuan\)/,
    );
    expect(result.stdout).toContain('"paySign":');
  });

  it('resolves --js-code through jscode2session, and refuses the same code a second time', async () => {
    const dir = tempConfigDir();
    const first = await cli(dir, createArgs('--js-code', 'code0001'));
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/openid o\S+ \(from the js_code\)/);
    const second = await cli(dir, createArgs('--js-code', 'code0001'));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('40163');
    expect(second.stderr).toContain('double call');
  });

  it('refuses a js_code that is not a bare token (B36) with exit 2', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--js-code', '{"jsCode":"abc"}'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a wx.login code');
  });

  it('re-sends the same out_trade_no with the same values and refuses changed ones before calling (C18)', async () => {
    const dir = tempConfigDir();
    const args = createArgs(
      '--openid',
      OPENID,
      '--out-trade-no',
      'C18202406100001',
    );
    const first = tabFields((await cli(dir, args)).stdout);
    const again = await cli(dir, args);
    expect(again.code).toBe(0);
    expect(tabFields(again.stdout).prepay_id).toBe(first.prepay_id);
    expect(again.stderr).toContain('created before with the same parameters');
    const changed = await cli(
      dir,
      createArgs(
        '--openid',
        'oAnotherPayer000000000000000B',
        '--out-trade-no',
        'C18202406100001',
      ),
    );
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('201 商户订单号重复');
    expect(changed.stderr).toContain('openid changed');
  });

  it.each([
    [['--expire', '3m'], 'under 5 minutes'],
    [['--amount', '0.001'], 'more than two decimals'],
    [['--trade-type', 'MICROPAY'], 'not one of JSAPI'],
    [['--total-fee', '1'], 'either --amount'],
  ])('refuses %j with exit 2', async (extra, message) => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--openid', OPENID, ...extra),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('wxpay order create, other trade types', () => {
  it('NATIVE: code_url piped, plus a QR code on a terminal', async () => {
    const piped = await cli(
      tempConfigDir(),
      createArgs('--trade-type', 'native'),
    );
    expect(piped.code).toBe(0);
    expectPlain(piped);
    expect(tabFields(piped.stdout).code_url).toMatch(
      /^weixin:\/\/wxpay\/bizpayurl\?pr=/,
    );
    expect(piped.stdout).not.toContain('▄');
    const tty = await cli(
      tempConfigDir(),
      createArgs('--trade-type', 'NATIVE'),
      true,
    );
    expect(stripVTControlCharacters(tty.stdout)).toMatch(
      /code_url\s+weixin:\/\//,
    );
    expect(tty.stdout).toContain('▄');
    expect(tty.stdout).not.toBe(stripVTControlCharacters(tty.stdout));
  });

  it('NATIVE: the QR code has no colour codes with NO_COLOR', async () => {
    const result = await runCli(createArgs('--trade-type', 'NATIVE'), {
      env: { WXPAY_CONFIG_DIR: tempConfigDir(), NO_COLOR: '1' },
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('█');
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
  });

  it('APP: the PayReq parameters with package Sign=WXPay', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--trade-type', 'APP', '--json'),
    );
    const doc = JSON.parse(result.stdout);
    expect(doc.app_pay).toMatchObject({
      appid: DEMO_PROFILE.appid,
      partnerid: DEMO_PROFILE.mch_id,
      prepayid: doc.prepay_id,
      package: 'Sign=WXPay',
    });
  });
});

describe('wxpay order create: missing values', () => {
  it('names the flag and never prompts when not on a terminal', async () => {
    const result = await cli(tempConfigDir(), [
      'order',
      'create',
      '--mock',
      '--amount',
      '0.01',
      '--openid',
      OPENID,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--body');
    expect(prompts.input).not.toHaveBeenCalled();
  });

  it('asks for missing values on a terminal', async () => {
    prompts.input.mockResolvedValueOnce('Tea').mockResolvedValueOnce('0.02');
    const result = await cli(
      tempConfigDir(),
      ['order', 'create', '--mock', '--openid', OPENID, '--json'],
      true,
    );
    expect(result.code).toBe(0);
    expect(prompts.input).toHaveBeenCalledTimes(2);
    expect(JSON.parse(result.stdout).total_fee).toBe('2');
  });

  it('exits 130 when the prompt is cancelled', async () => {
    prompts.input.mockRejectedValueOnce(
      Object.assign(new Error('cancel'), { name: 'ExitPromptError' }),
    );
    const result = await cli(
      tempConfigDir(),
      ['order', 'create', '--mock', '--openid', OPENID],
      true,
    );
    expect(result.code).toBe(130);
  });
});

describe('wxpay order create against a real profile', () => {
  async function fakeWeChat(): Promise<LocalServer> {
    const server = await localServer((_req, body) => {
      const sent = parseXml(body).fields;
      return {
        body: signedAnswer({
          prepay_id: `wxPrepay${sent.out_trade_no}`,
          trade_type: sent.trade_type,
        }),
      };
    });
    return server;
  }

  it('--dry-run prints the signed XML and sends nothing', async () => {
    const server = await fakeWeChat();
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...REAL_CREATE, '--dry-run']);
    expect(result.code).toBe(0);
    const { root, fields } = parseXml(result.stdout);
    expect(root).toBe('xml');
    expect(fields).toMatchObject({
      body: 'Test',
      total_fee: '1',
      openid: OPENID,
      trade_type: 'JSAPI',
    });
    expect(verify(fields, KEY).valid).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(result.stderr).toContain('nothing was sent');
  });

  it('--verbose dumps both bodies to stderr without the key or any sign', async () => {
    const server = await fakeWeChat();
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...REAL_CREATE, '--verbose', '--json']);
    expect(result.code).toBe(0);
    const sentSign = parseXml(server.requests[0].body).fields.sign;
    const paySign = JSON.parse(result.stdout).request_payment.paySign;
    expect(result.stderr).toContain('→ POST');
    expect(result.stderr).toContain('<sign>[REDACTED]</sign>');
    expect(result.stderr).toContain('wxPrepay');
    for (const secret of [KEY, sentSign, paySign])
      expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toMatch(/[0-9A-F]{32}/);
  });

  it('fails over to backup_base_url and says so on stderr', async () => {
    const backup = await fakeWeChat();
    const dead = await localServer(() => ({ body: '' }));
    await dead.close();
    const dir = configWith(
      'shop',
      localProfile(dead.url, { backup_base_url: backup.url }),
    );
    const result = await cli(dir, [...REAL_CREATE]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${dead.url} failed (connection refused); trying the backup ${backup.url}`,
    );
    expect(backup.requests).toHaveLength(1);
  });

  it('exits 3 when no host answers, naming the timeout', async () => {
    const silent = await localServer(() => 'hang');
    const dir = configWith('shop', localProfile(silent.url));
    const result = await cli(dir, [...REAL_CREATE, '--timeout', '300ms']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('timed out after 300 ms');
  });

  it('exits 1 on a forged answer', async () => {
    const server = await localServer(() => ({
      body: signedAnswer({ prepay_id: 'wxForged' }, { key: 'f'.repeat(32) }),
    }));
    const dir = configWith('shop', localProfile(server.url));
    const result = await cli(dir, [...REAL_CREATE, '--json']);
    expect(result.code).toBe(1);
    // With --json the one stdout document is the error, never the order.
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'RESPONSE_SIGN_INVALID', exit_code: 1 },
    });
    expect(result.stdout).not.toContain('wxForged');
  });

  it('exits 4 when the profile has no key', async () => {
    const dir = configWith('shop', {
      ...localProfile('http://127.0.0.1:9'),
      key: undefined,
    });
    const result = await cli(dir, [...REAL_CREATE]);
    expect(result.code).toBe(4);
  });
});

describe('wxpay order create --sign-type HMAC-SHA256', () => {
  it('signs the order and the paySign with HMAC-SHA256', async () => {
    const result = await cli(
      tempConfigDir(),
      createArgs('--openid', OPENID, '--sign-type', 'HMAC-SHA256', '--json'),
    );
    expect(result.code).toBe(0);
    const pay = JSON.parse(result.stdout).request_payment;
    expect(pay.signType).toBe('HMAC-SHA256');
    expect(pay.paySign).toMatch(/^[0-9A-F]{64}$/);
    expect(payParamsValid(pay, DEMO_PROFILE.appid!, DEMO_PROFILE.key!)).toBe(
      true,
    );
  });
});
