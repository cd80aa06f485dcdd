// Order create round trips against the local simulator: the full client
// path (validate, sign, POST, parse, verify the answer's sign, check
// appid/mch_id) beside a bare undici POST of a pre-signed body to the same
// server and path in the same run. Both create a new order each time, so
// the simulator does the same work; the difference is the client's own
// cost. Goal: the client keeps at least 80 % of the bare throughput.
import { performance } from 'node:perf_hooks';
import { request, Agent } from 'undici';
import { PayClient } from '../dist/core/http/client.js';
import {
  prepareUnifiedOrder,
  unifiedOrder,
} from '../dist/core/api/unified-order.js';
import { startSimulator } from '../dist/sim/index.js';
import { DEMO_PROFILE } from '../dist/sim/demo.js';

const BATCH = 50;
const RUN_MS = 6000;
const OPENID = 'oTESTopenid0000000000000000A';

let serial = 0;
function input() {
  serial += 1;
  return {
    body: 'Bench',
    totalFee: 1,
    openid: OPENID,
    notifyUrl: 'http://127.0.0.1:9/wxpay/notify',
    outTradeNo: `BENCH${process.pid}${String(serial).padStart(10, '0')}`,
  };
}

function percentile(sorted, p) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function timed(fn, latencies) {
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  latencies.push(ms);
  return ms;
}

export async function run() {
  const sim = await startSimulator({ port: 0 });
  const dispatcher = new Agent();
  const client = new PayClient({
    baseUrl: sim.url,
    backupBaseUrl: null,
    appid: DEMO_PROFILE.appid,
    mchId: DEMO_PROFILE.mch_id,
    key: DEMO_PROFILE.key,
    dispatcher,
  });
  const bareBody = async () =>
    (await prepareUnifiedOrder(client, input())).request.xml;
  const bare = async (xml) => {
    const res = await request(`${sim.url}/pay/unifiedorder`, {
      method: 'POST',
      body: xml,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      dispatcher,
    });
    const text = await res.body.text();
    if (!text.includes('<prepay_id>'))
      throw new Error(`bare POST refused: ${text}`);
  };
  const viaClient = async () => {
    const result = await unifiedOrder(client, input());
    if (!result.prepay_id) throw new Error('no prepay_id');
  };
  try {
    // Warm up both paths (JIT, keep-alive connection, simulator state).
    for (let i = 0; i < 100; i++) {
      await viaClient();
      await bare(await bareBody());
    }
    const clientMs = [];
    const bareMs = [];
    let clientTotal = 0;
    let bareTotal = 0;
    const end = performance.now() + RUN_MS;
    while (performance.now() < end) {
      const bodies = [];
      for (let i = 0; i < BATCH; i++) bodies.push(await bareBody());
      // Interleaved one by one, so both see the same simulator state size
      // and the same machine load.
      for (const xml of bodies) {
        bareTotal += await timed(() => bare(xml), bareMs);
        clientTotal += await timed(viaClient, clientMs);
      }
    }
    clientMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    const perSecond = (count, total) => (count * 1000) / total;
    const value = perSecond(clientMs.length, clientTotal);
    const baseline = perSecond(bareMs.length, bareTotal);
    const rows = [
      {
        name: 'order create round trips/s',
        value,
        unit: 'rt/s',
        baseline,
        baselineName: 'bare undici POST',
        ratio: value / baseline,
      },
    ];
    for (const p of [50, 99]) {
      const v = percentile(clientMs, p);
      const b = percentile(bareMs, p);
      rows.push({
        name: `order create p${p} latency`,
        value: v,
        unit: 'ms',
        baseline: b,
        baselineName: 'bare undici POST',
        ratio: v / b,
        goal: '',
      });
    }
    return rows;
  } finally {
    await client.close();
    await dispatcher.close();
    await sim.close();
  }
}
