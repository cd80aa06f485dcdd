/* global fetch */
// A separate process sharing the simulator state file (see state.test.ts).
// argv: bundle path, state file, mode ("orders" | "counter"), worker id, count
const [bundle, stateFile, mode, id, count] = process.argv.slice(2);
const lib = await import(bundle);

if (mode === 'counter') {
  const store = lib.fileStateStore(stateFile);
  await Promise.all(
    Array.from({ length: Number(count) }, () =>
      store.withState('counter', (state) => {
        state.value = (state.value ?? 0) + 1;
        state[`seen_${id}`] = (state[`seen_${id}`] ?? 0) + 1;
      }),
    ),
  );
} else {
  const sim = await lib.startSimulator({ stateFile });
  const { appid, mch_id: mchId, key } = lib.DEMO_PROFILE;
  const results = await Promise.all(
    Array.from({ length: Number(count) }, async (_, n) => {
      const fields = {
        appid,
        mch_id: mchId,
        nonce_str: lib.nonceStr(),
        body: 'concurrent',
        out_trade_no: `P${id}N${String(n).padStart(3, '0')}XYZ`,
        total_fee: '1',
        spbill_create_ip: '127.0.0.1',
        notify_url: 'http://127.0.0.1:9/n',
        trade_type: 'NATIVE',
        product_id: 'P1',
      };
      fields.sign = lib.sign(fields, key);
      const response = await fetch(`${sim.url}/pay/unifiedorder`, {
        method: 'POST',
        body: lib.buildXml(fields),
      });
      return (await response.text()).includes(
        '<result_code><![CDATA[SUCCESS]]>',
      );
    }),
  );
  await sim.close();
  if (!results.every(Boolean)) process.exitCode = 1;
}
