// Signatures per second through wxpay's sign() against a bare node:crypto
// loop hashing the same pre-sorted string (goal: at least 0.9 of it).
import { createHash, createHmac } from 'node:crypto';
import { sign, stringToSign } from '../dist/core/sign.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const PARAMS = {
  appid: 'wx0123456789abcdef',
  mch_id: '1900000109',
  nonce_str: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  body: '微信支付测试-中文商品',
  out_trade_no: '20240101000010',
  total_fee: '1',
  spbill_create_ip: '123.12.12.123',
  notify_url: 'https://example.com/wxpay/notify',
  trade_type: 'JSAPI',
  openid: 'oTESTopenid0000000000000000A',
  attach: '',
};

function rate(fn, ms = 1500) {
  for (let i = 0; i < 20000; i++) fn(); // warm up the JIT
  let count = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) fn();
    count += 1000;
  }
  return count / (ms / 1000);
}

function best(fn) {
  return Math.max(rate(fn), rate(fn), rate(fn));
}

export async function run() {
  const sorted = stringToSign(PARAMS, KEY);
  const rows = [];
  const pairs = [
    [
      'MD5',
      () =>
        createHash('md5').update(sorted, 'utf8').digest('hex').toUpperCase(),
    ],
    [
      'HMAC-SHA256',
      () =>
        createHmac('sha256', KEY)
          .update(sorted, 'utf8')
          .digest('hex')
          .toUpperCase(),
    ],
  ];
  for (const [type, bare] of pairs) {
    const baseline = best(bare);
    const value = best(() => sign(PARAMS, KEY, type));
    rows.push({
      name: `signatures/s, ${type}, 11 fields`,
      value,
      unit: 'sig/s',
      baseline,
      baselineName: 'bare node:crypto',
      ratio: value / baseline,
      goal: '>= 0.90',
      met: value / baseline >= 0.9,
    });
  }
  return rows;
}
