import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../src/core/safe-text.js';
import { buildPaymentNotification, NOTIFY_MAX_BYTES } from '../../src/index.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { reply, startHandler } from './handlers.js';
import { post, startListen } from './listen-helper.js';

const MERCHANT = {
  key: DEMO_PROFILE.key!,
  appid: DEMO_PROFILE.appid!,
  mchId: DEMO_PROFILE.mch_id!,
};

/**
 * A forged out_trade_no that, printed raw, ends the log line and writes a
 * second one saying a payment was valid. XML cannot carry ESC itself, so
 * the terminal code uses the one-byte CSI (U+009B), which it can.
 */
const FORGED =
  'X\n2026-01-01T00:00:00.000Z\tpayment\tFAKE0001\t100000\tvalid\t-\tok\tSUCCESS\t-\u009b31m';
const FORGED_SHOWN =
  'X\\n2026-01-01T00:00:00.000Z\\tpayment\\tFAKE0001\\t100000\\tvalid\\t-\\tok\\tSUCCESS\\t-\\x9b31m';

/** A correctly signed notification carrying the forged out_trade_no. */
function forgedBody(): string {
  return buildPaymentNotification({
    ...MERCHANT,
    outTradeNo: 'PLACEHOLDER1',
    totalFee: 1,
    openid: 'oTESTopenid0000000000000000A',
    extra: { out_trade_no: FORGED, attach: 'a\tb\nc' },
  }).body;
}

/** No raw control character (tab and newline allowed as separators). */
function expectNoControls(text: string): void {
  // eslint-disable-next-line no-control-regex -- looking for them
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
}

describe('escapeControls', () => {
  it('shows newline, tab, CR, ESC, C1 and line separators as escapes', () => {
    expect(escapeControls('a\nb\rc\td\x1b[31me\u009bf\u2028g\u202eh\x00')).toBe(
      'a\\nb\\rc\\td\\x1b[31me\\x9bf\\u2028g\\u202eh\\x00',
    );
  });

  it('shows an invisible byte-order mark and direction marks', () => {
    expect(escapeControls('\ufeff{"current"')).toBe('\\ufeff{"current"');
    expect(escapeControls('a\u200eb\u200fc\u061cd')).toBe(
      'a\\u200eb\\u200fc\\u061cd',
    );
    expect(escapeControls('T1\u200b T\u00ad1 \u2060')).toBe(
      'T1\\u200b T\\xad1 \\u2060',
    );
  });

  it('leaves ordinary text and Chinese unchanged', () => {
    expect(escapeControls('支付成功 order-1_2 ¥1.00 \\n')).toBe(
      '支付成功 order-1_2 ¥1.00 \\n',
    );
  });
});

describe('printed notification fields cannot forge lines or terminal codes', () => {
  it('notify listen: one piped line per notification, the forged field escaped', async () => {
    const listen = await startListen(['--mock']);
    await post(listen.url, forgedBody());
    const result = await listen.stop();
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const columns = lines[0].split('\t');
    expect(columns).toHaveLength(9);
    expect(columns.slice(1)).toEqual([
      'payment',
      FORGED_SHOWN,
      '1',
      'valid',
      '-',
      'ok',
      'SUCCESS',
      '-',
    ]);
    expectNoControls(result.stdout.replace(/[\t\n]/g, ''));
  });

  it('notify listen: the terminal line escapes the field too', async () => {
    const listen = await startListen(['--mock'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    await post(listen.url, forgedBody());
    const result = await listen.stop();
    expect(result.stdout).toContain(FORGED_SHOWN);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    expectNoControls(result.stdout.replace(/\n$/, ''));
  });

  it('notify listen: a body with a raw ESC is refused, not echoed', async () => {
    const listen = await startListen(['--mock']);
    const body = forgedBody().replace('PLACEHOLDER1', 'A\x1b[31m');
    await post(listen.url, body.replace(/X\n2026[^<]*/, 'A\x1b[2J'));
    const result = await listen.stop();
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stdout.split('\t')[4]).toBe('invalid');
  });

  for (const tty of [false, true]) {
    it(`notify verify (${tty ? 'terminal' : 'piped'}) escapes every field it prints`, async () => {
      const file = join(tempConfigDir(), 'forged.xml');
      writeFileSync(file, forgedBody());
      const result = await runCli(['notify', 'verify', file, '--mock'], {
        tty,
        env: { NO_COLOR: '1' },
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(FORGED_SHOWN);
      expect(result.stdout).toContain('a\\tb\\nc');
      const lines = result.stdout.trimEnd().split('\n');
      const outTradeNo = lines.find((line) => line.includes('FAKE0001'))!;
      if (!tty) {
        expect(outTradeNo).toBe(`out_trade_no\t${FORGED_SHOWN}`);
        // name, value and at most the yuan column: no field holds a tab.
        for (const line of lines.slice(1)) {
          expect(line.split('\t').length).toBeLessThanOrEqual(3);
        }
      }
      expectNoControls(result.stdout.replace(/[\t\n]/g, ''));
    });
  }

  it('notify trigger: a plain-text reply is quoted with its controls escaped', async () => {
    const handler = await startHandler((_body, _req, res) =>
      reply(res, 200, 'text/plain', 'ok\x1b[2J\nFAKE line\tx'),
    );
    const result = await runCli([
      'notify',
      'trigger',
      '--mock',
      '--to',
      handler.url,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'The reply is plain text ("ok\\x1b[2J\\nFAKE line\\tx"); WeChat Pay v2 needs the XML reply.',
    );
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr).not.toContain('\nFAKE');
  });
});

describe('notify verify reads at most the body cap', () => {
  it('refuses /dev/zero after cap+1 bytes instead of reading it all', async () => {
    const result = await runCli(['notify', 'verify', '/dev/zero', '--mock']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: /dev/zero holds more than a notification can; the limit is ${NOTIFY_MAX_BYTES} bytes.`,
    );
  });

  it('refuses an endless stdin the same way', async () => {
    const big = Buffer.alloc(NOTIFY_MAX_BYTES + 1, 0x20);
    const result = await runCli(['notify', 'verify', '-', '--mock'], {
      stdin: big,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `stdin holds more than a notification can; the limit is ${NOTIFY_MAX_BYTES} bytes.`,
    );
  });

  it('still reads a body of exactly the cap (and then judges it)', async () => {
    const file = join(tempConfigDir(), 'edge.xml');
    const body = forgedBody();
    const padding = NOTIFY_MAX_BYTES - Buffer.byteLength(body);
    writeFileSync(file, body + ' '.repeat(padding));
    const result = await runCli(['notify', 'verify', file, '--mock']);
    expect(result.code).toBe(0);
  });
});

describe('notify trigger without an appid', () => {
  it('is a configuration problem: exit 4 with the hint', async () => {
    const keyFile = join(tempConfigDir(), 'key.txt');
    writeFileSync(keyFile, `${MERCHANT.key}\n`);
    const result = await runCli([
      'notify',
      'trigger',
      '--to',
      'http://127.0.0.1:9/notify',
      '--key-file',
      keyFile,
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'error: No appid to put in the notification.',
    );
    expect(result.stderr).toContain(
      'hint: Pass --appid, set it in the profile (wxpay config set appid), or use --mock.',
    );
  });
});
