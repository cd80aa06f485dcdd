import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import {
  fakeProfileDir,
  refusal,
  startFakeWeChat,
  type FakeHandler,
} from './fake-wechat.js';

const prompts = vi.hoisted(() => ({
  answer: true,
  messages: [] as string[],
}));

vi.mock('../../src/cli/prompt.js', async (importOriginal) => {
  const actual =
    await importOriginal<typeof import('../../src/cli/prompt.js')>();
  return {
    ...actual,
    confirm: vi.fn(async (_ctx: unknown, options: { message: string }) => {
      prompts.messages.push(options.message);
      return prompts.answer;
    }),
  };
});

beforeEach(() => {
  prompts.answer = true;
  prompts.messages = [];
});

function profileFor(url: string, withCert = true): string {
  return fakeProfileDir(url, withCert);
}

const accept: FakeHandler = (params) => ({
  fields: {
    out_trade_no: params.out_trade_no ?? 'order-000001',
    out_refund_no: params.out_refund_no,
    refund_id: '50300000000000000000000001',
    refund_fee: params.refund_fee,
    total_fee: params.total_fee,
  },
});

const CREATE = [
  'refund',
  'create',
  '--out-trade-no',
  'order-000001',
  '--total',
  '10.00',
  '--refund',
  '2.50',
];

describe('wxpay refund create', () => {
  it('refuses to refund without a terminal unless --yes, sending nothing', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const dir = profileFor(server.url);
    const result = await runCli(CREATE, { env: { WXPAY_CONFIG_DIR: dir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --yes');
    expect(server.requests).toHaveLength(0);
  });

  it('asks on a terminal and refunds when confirmed', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const dir = profileFor(server.url);
    const result = await runCli([...CREATE, '--out-refund-no', 'R-tty-1'], {
      env: { WXPAY_CONFIG_DIR: dir },
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(prompts.messages).toEqual([
      'Refund 2.50 yuan of out_trade_no order-000001 (order total 10.00 yuan) for merchant 1900000109, out_refund_no R-tty-1?',
    ]);
    expect(server.requests[0].params).toMatchObject({
      out_trade_no: 'order-000001',
      out_refund_no: 'R-tty-1',
      total_fee: '1000',
      refund_fee: '250',
    });
    expect(result.stdout).toContain(
      'refund_id      50300000000000000000000001',
    );
    expect(result.stdout).toContain('refund_fee     250 (2.50 yuan)');
  });

  it('sends nothing when the refund is declined (exit 1)', async () => {
    prompts.answer = false;
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli(CREATE, {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
      tty: true,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Refund not sent');
    expect(server.requests).toHaveLength(0);
  });

  it('refunds with --yes in a script and prints one JSON document', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli(
      [
        '--json',
        'refund',
        'create',
        '--transaction-id',
        '4200000000000000000000000001',
        '--total-fee',
        '1000',
        '--refund-fee',
        '1000',
        '--reason',
        '缺货',
        '--yes',
      ],
      { env: { WXPAY_CONFIG_DIR: profileFor(server.url) } },
    );
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as Record<string, string>;
    expect(document.refund_id).toBe('50300000000000000000000001');
    expect(document.refund_fee).toBe('1000');
    expect(document.out_refund_no).toMatch(/^R\d{23}$/);
    expect(document.sign).toBeUndefined();
    expect(result.stderr).toContain('Refund accepted: 10.00 yuan');
    expect(prompts.messages).toEqual([]);
    expect(server.requests[0].params.refund_desc).toBe('缺货');
    expect(server.requests[0].params.transaction_id).toBe(
      '4200000000000000000000000001',
    );
  });

  it('after a dropped connection, names the out_refund_no to retry with; the retry reuses it', async () => {
    let drop = true;
    const server = await startFakeWeChat({
      '/secapi/pay/refund': (params) =>
        drop ? { status: 502, raw: 'bad gateway' } : accept(params, 0),
    });
    const dir = profileFor(server.url);
    const first = await runCli([...CREATE, '--yes'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(first.code).toBe(3);
    const generated = /--out-refund-no (R\d{23})/.exec(first.stderr)?.[1];
    expect(generated).toBeDefined();
    expect(server.requests.at(-1)?.params.out_refund_no).toBe(generated);
    drop = false;
    const retry = await runCli(
      [...CREATE, '--yes', '--out-refund-no', generated!],
      { env: { WXPAY_CONFIG_DIR: dir } },
    );
    expect(retry.code).toBe(0);
    expect(new Set(server.requests.map((r) => r.params.out_refund_no))).toEqual(
      new Set([generated]),
    );
  });

  it('retries SYSTEMERROR by itself with the identical request', async () => {
    const server = await startFakeWeChat({
      '/secapi/pay/refund': (params, index) =>
        index === 0
          ? refusal('SYSTEMERROR', '系统超时')
          : accept(params, index),
    });
    const result = await runCli(
      [...CREATE, '--yes', '--out-refund-no', 'R-sys-1'],
      {
        env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
      },
    );
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].params).toEqual(server.requests[1].params);
    expect(result.stderr).toMatch(/SYSTEMERROR.*retrying/);
  });

  it('needs the merchant certificate before asking anything (exit 4)', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli(CREATE, {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url, false) },
      tty: true,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('wxpay config set cert_p12');
    expect(prompts.messages).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('checks amounts before anything else (exit 2)', async () => {
    const dir = tempConfigDir();
    const cases: [string[], string][] = [
      [['--out-trade-no', 'order-000001', '--refund', '1'], 'Missing --total'],
      [
        [
          '--out-trade-no',
          'order-000001',
          '--total',
          '1',
          '--total-fee',
          '100',
          '--refund',
          '1',
        ],
        'not both',
      ],
      [['--total', '1', '--refund', '1'], '--out-trade-no or --transaction-id'],
      [
        [
          '--out-trade-no',
          'order-000001',
          '--total',
          '1.00',
          '--refund',
          '1.01',
        ],
        'larger than the order total',
      ],
      [
        ['--out-trade-no', 'order-000001', '--total', '1', '--refund', '0.001'],
        'more than two decimals',
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(['refund', 'create', ...flags, '--yes'], {
        env: { WXPAY_CONFIG_DIR: dir },
      });
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('shows WeChat refusals with their meaning (exit 1)', async () => {
    const server = await startFakeWeChat({
      '/secapi/pay/refund': () => refusal('NOTENOUGH', '基本账户余额不足'),
    });
    const result = await runCli([...CREATE, '--yes'], {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NOTENOUGH');
  });
});

describe('wxpay refund create: the generated out_refund_no', () => {
  const RETRY_ADVICE = '(generated; retry with --out-refund-no';

  it('gives no retry advice when nothing was sent: no --yes in a script', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli(CREATE, {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain(RETRY_ADVICE);
    expect(server.requests).toHaveLength(0);
  });

  it('gives no retry advice when nothing was sent: a wrong certificate passphrase', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const dir = profileFor(server.url);
    const file = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.profiles.default.cert_passphrase = 'not-the-passphrase';
    writeFileSync(file, JSON.stringify(config));
    const result = await runCli([...CREATE, '--yes'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).not.toContain(RETRY_ADVICE);
    expect(server.requests).toHaveLength(0);
  });

  it('gives no retry advice when the refund is declined at the prompt', async () => {
    prompts.answer = false;
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli(CREATE, {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
      tty: true,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain(RETRY_ADVICE);
  });

  it('names the number once the request goes out', async () => {
    const server = await startFakeWeChat({ '/secapi/pay/refund': accept });
    const result = await runCli([...CREATE, '--yes'], {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
    });
    expect(result.code).toBe(0);
    const sent = server.requests[0].params.out_refund_no;
    expect(result.stderr).toContain(
      `out_refund_no ${sent} (generated; retry with --out-refund-no ${sent}`,
    );
  });

  it('explains 累计退款金额大于支付金额 in English and keeps the Chinese (exit 1)', async () => {
    const server = await startFakeWeChat({
      '/secapi/pay/refund': () => refusal('ERROR', '累计退款金额大于支付金额'),
    });
    const result = await runCli([...CREATE, '--yes'], {
      env: { WXPAY_CONFIG_DIR: profileFor(server.url) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERROR (累计退款金额大于支付金额)');
    expect(result.stderr).toContain('would add up to more than the payer paid');
    expect(result.stderr).toContain('refund at most the remainder');
    expect(result.stderr).not.toContain('Read err_code_des');
  });
});

describe('wxpay refund query', () => {
  function pages(total: number): FakeHandler {
    return (params) => {
      const offset = Number(params.offset ?? 0);
      const fields: Record<string, string> = {
        out_trade_no: 'order-000001',
        transaction_id: '4200000000000000000000000001',
        total_fee: '10000',
        total_refund_count: String(total),
      };
      const end = Math.min(offset + 10, total);
      for (let i = offset; i < end; i += 1) {
        const n = i - offset;
        fields[`out_refund_no_${n}`] = `R${i}`;
        fields[`refund_id_${n}`] = `503${i}`;
        fields[`refund_fee_${n}`] = '100';
        fields[`refund_status_${n}`] = [
          'SUCCESS',
          'REFUNDCLOSE',
          'PROCESSING',
          'CHANGE',
        ][i % 4];
      }
      fields.refund_count = String(end - offset);
      return { fields };
    };
  }

  it('reads every page; piped, one tab-separated line per refund with its meaning', async () => {
    const server = await startFakeWeChat({ '/pay/refundquery': pages(12) });
    const result = await runCli(
      ['refund', 'query', '--out-trade-no', 'order-000001'],
      { env: { WXPAY_CONFIG_DIR: profileFor(server.url, false) } },
    );
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(
      'R0\t5030\t100\tSUCCESS\t\trefunded: the money is on its way back to the payer',
    );
    expect(lines[1]).toBe(
      'R1\t5031\t100\tREFUNDCLOSE\t\tclosed: the refund failed and will not be paid',
    );
    expect(lines[11]).toMatch(/^R11\t50311\t100\tCHANGE\t\tabnormal: /);
    expect(result.stderr).toContain('12 refund(s)');
  });

  it('gives one JSON document with every refund', async () => {
    const server = await startFakeWeChat({ '/pay/refundquery': pages(12) });
    const result = await runCli(
      [
        '--json',
        'refund',
        'query',
        '--transaction-id',
        '4200000000000000000000000001',
      ],
      { env: { WXPAY_CONFIG_DIR: profileFor(server.url, false) } },
    );
    const document = JSON.parse(result.stdout) as {
      total_refund_count: string;
      refunds: { out_refund_no: string; refund_status_meaning: string }[];
    };
    expect(document.total_refund_count).toBe('12');
    expect(document.refunds.map((r) => r.out_refund_no)).toEqual(
      Array.from({ length: 12 }, (_, i) => `R${i}`),
    );
  });

  it('says REFUNDNOTEXIST plainly (exit 1)', async () => {
    const server = await startFakeWeChat({
      '/pay/refundquery': () => refusal('REFUNDNOTEXIST', 'not exist'),
    });
    const result = await runCli(
      ['refund', 'query', '--out-refund-no', 'R404'],
      {
        env: { WXPAY_CONFIG_DIR: profileFor(server.url, false) },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REFUNDNOTEXIST');
  });

  it('colours statuses on a terminal', async () => {
    const server = await startFakeWeChat({ '/pay/refundquery': pages(4) });
    const result = await runCli(
      ['refund', 'query', '--out-trade-no', 'order-000001'],
      {
        env: {
          WXPAY_CONFIG_DIR: profileFor(server.url, false),
          FORCE_COLOR: '1',
        },
        tty: true,
      },
    );
    expect(result.code).toBe(0);
    const esc = String.fromCharCode(27);
    expect(result.stdout).toContain(`${esc}[32mSUCCESS`);
    expect(result.stdout).toContain(`${esc}[31mREFUNDCLOSE`);
    expect(result.stdout).toContain('100 (1.00 yuan)');
    expect(result.stdout).toContain(
      '    refunded: the money is on its way back to the payer',
    );
  });
});
