import { describe, expect, it } from 'vitest';
import { openOrders, type MerchantOrder } from '../../src/core/bill/orders.js';
import { Readable } from 'node:stream';

async function read(text: string): Promise<MerchantOrder[]> {
  const reader = await openOrders(Readable.from([Buffer.from(text)]));
  const orders: MerchantOrder[] = [];
  for await (const batch of reader.batches()) orders.push(...batch);
  return orders;
}

describe('NDJSON orders are read record by record', () => {
  it('finds a field that the first record leaves out', async () => {
    const orders = await read(
      '{"out_trade_no":"A1","amount":1,"status":"SUCCESS"}\n' +
        '{"out_trade_no":"A2","amount":150,"status":"SUCCESS","refund":50}\n',
    );
    expect(orders).toMatchObject([
      { out_trade_no: 'A1', amount: 1 },
      { out_trade_no: 'A2', amount: 150, refund: 50 },
    ]);
  });

  it('refuses a record without out_trade_no, naming its line', async () => {
    await expect(
      read(
        '{"out_trade_no":"A1","amount":1,"status":"SUCCESS"}\n{"amount":2}\n',
      ),
    ).rejects.toThrow(/Line 2 has no out_trade_no/);
  });
});
