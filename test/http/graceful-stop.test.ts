import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { closeWhenAnswered } from '../../src/core/http-stop.js';
import { deliverNotification } from '../../src/core/notify/deliver.js';
import {
  NotifyReceiver,
  type ReceivedNotification,
} from '../../src/core/notify/receiver.js';
import { buildPaymentNotification } from '../../src/index.js';

const MERCHANT = {
  key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  appid: 'wx0123456789abcdef',
  mchId: '1900000109',
};

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => server.closeAllConnections());
  return { server, port: (server.address() as AddressInfo).port };
}

describe('closeWhenAnswered', () => {
  it('answers the request in flight before it closes', async () => {
    const { server, port } = await serve((request, response) => {
      request.resume();
      setTimeout(() => response.end('done'), 300);
    });
    const { stop } = closeWhenAnswered(server);
    const answer = fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: 'x',
    });
    await new Promise((resolve) => server.once('request', resolve));
    const waits: number[] = [];
    await stop((count) => waits.push(count));
    expect(await (await answer).text()).toBe('done');
    expect(waits).toEqual([1]);
  });

  it('gives up on a client that stalls mid-body after the grace period', async () => {
    // The handler waits for a body that never completes.
    const { server, port } = await serve((request, response) => {
      request.on('end', () => response.end('never'));
      request.resume();
    });
    const { stop } = closeWhenAnswered(server, { graceMs: 200 });
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
      ),
    );
    socket.on('error', () => undefined);
    onTestFinished(() => {
      socket.destroy();
    });
    await new Promise((resolve) => server.once('request', resolve));
    const waits: number[] = [];
    // Resolves (instead of waiting for Node's 300 s request timeout).
    await stop((count, graceMs) => waits.push(count, graceMs));
    expect(waits).toEqual([1, 200]);
    expect(server.listening).toBe(false);
  });

  it('waits for tracked work that goes on after the answer', async () => {
    const { server } = await serve((_request, response) => response.end());
    const { stop, track } = closeWhenAnswered(server);
    const log: string[] = [];
    track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          log.push('work done');
          resolve();
        }, 200),
      ),
    );
    await stop();
    log.push('stopped');
    expect(log).toEqual(['work done', 'stopped']);
  });

  it('ends at the grace period even when tracked work never does', async () => {
    const { server } = await serve((_request, response) => response.end());
    let cut = 0;
    const { stop, track } = closeWhenAnswered(server, {
      graceMs: 100,
      onCut: () => (cut += 1),
    });
    track(new Promise(() => undefined));
    await stop();
    expect(server.listening).toBe(false);
    expect(cut).toBe(1);
  });

  it('a stopping listener abandons a forward its handler never answers', async () => {
    const { server, port } = await serve((request) => request.resume());
    const abandon = new AbortController();
    const delivery = deliverNotification(
      `http://127.0.0.1:${port}/n`,
      '<xml/>',
      {
        signal: abandon.signal,
      },
    );
    await new Promise((resolve) => server.once('request', resolve));
    abandon.abort();
    await expect(delivery).rejects.toMatchObject({ code: 'NOTIFY_ABANDONED' });
  });
});

describe('NotifyReceiver stopped while a forward hangs', () => {
  it('abandons the forward and logs that no reply was sent', async () => {
    const { server, port } = await serve((request) => request.resume());
    const records: ReceivedNotification[] = [];
    const receiver = new NotifyReceiver({
      profile: { key: MERCHANT.key },
      forwardTo: new URL(`http://127.0.0.1:${port}/n`),
      forwardTimeoutMs: 30_000,
      stopGraceMs: 100,
      onNotification: (record) => records.push(record),
    });
    const url = await receiver.listen(0, '127.0.0.1');
    const body = buildPaymentNotification({
      ...MERCHANT,
      outTradeNo: 'ORDER000001',
      totalFee: 1,
      openid: 'oTESTopenid0000000000000000A',
    }).body;
    const sent = fetch(url, { method: 'POST', body }).catch(() => 'cut');
    // The forward has reached the (hanging) handler.
    await new Promise((resolve) => server.once('request', resolve));
    await receiver.close();
    expect(await sent).toBe('cut');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ reply: 'none', httpStatus: 0 });
    expect(records[0].forward?.errorCode).toBe('NOTIFY_ABANDONED');
  });
});
