import { UsageError } from '../../../core/errors.js';
import type { RequestLog } from '../../../sim/server.js';
import type { SimMerchant } from '../../../sim/merchants.js';
import { isLoopbackHost } from '../../../sim/notify.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { onInterrupt, stopWaitNotice } from '../../interrupt.js';
import { parseSpeed, parseWhole, printAttempt } from './shared.js';

interface ServeOptions {
  port?: string;
  host: string;
  allowRemote?: boolean;
  appid?: string;
  mchId?: string;
  keyFile?: string;
  appSecretFile?: string;
  speed?: string;
  allowRemoteNotify?: boolean;
}

/** The merchant given with --appid --mch-id --key-file, if any. */
async function flagMerchant(
  ctx: Context,
  options: ServeOptions,
): Promise<SimMerchant[]> {
  const given = {
    '--appid': options.appid,
    '--mch-id': options.mchId,
    '--key-file': options.keyFile,
  };
  const missing = Object.entries(given)
    .filter(([, v]) => !v)
    .map(([flag]) => flag);
  if (missing.length === 3) {
    if (options.appSecretFile) {
      throw new UsageError(
        'FLAG_ALONE',
        '--app-secret-file needs --appid, --mch-id and --key-file.',
      );
    }
    return [];
  }
  if (missing.length > 0) {
    throw new UsageError(
      'MERCHANT_INCOMPLETE',
      `A merchant needs --appid, --mch-id and --key-file; missing ${missing.join(', ')}.`,
    );
  }
  const key = await ctx.readSecretFile(options.keyFile!, '--key-file');
  const secret = options.appSecretFile
    ? await ctx.readSecretFile(options.appSecretFile, '--app-secret-file')
    : undefined;
  return [
    {
      appids: [options.appid!],
      mch_id: options.mchId!,
      key,
      appSecrets: secret ? { [options.appid!]: secret } : undefined,
    },
  ];
}

function checkHost(ctx: Context, options: ServeOptions): void {
  if (isLoopbackHost(options.host)) return;
  if (!options.allowRemote) {
    throw new UsageError(
      'HOST_NOT_LOOPBACK',
      `Refusing to listen on ${options.host}: the simulator accepts the published demo credentials, so anyone who reaches it can use it.`,
      {
        hint: 'Keep the default 127.0.0.1, or add --allow-remote if other machines must reach it.',
      },
    );
  }
  ctx.out.warn(
    `Listening on ${options.host}: any machine that reaches this address can create orders with the demo credentials and change the simulator's state.`,
  );
}

function logLine(ctx: Context, entry: RequestLog): string {
  const c = ctx.out.errColor;
  const status =
    entry.status >= 500 || entry.status === 0
      ? c.red(String(entry.status))
      : entry.status >= 400
        ? c.yellow(String(entry.status))
        : c.green(String(entry.status));
  return `${entry.method} ${entry.path} ${status} ${entry.outcome} ${c.dim(`${entry.ms} ms`)}`;
}

/**
 * `wxpay mock serve`: the simulator over HTTP until Ctrl-C. The base URL is
 * the only stdout line (or one JSON document with --json); requests are
 * logged on stderr.
 */
export const serveRun: RunFn<ServeOptions> = async (ctx, _args, options) => {
  const port =
    options.port === undefined
      ? 0
      : parseWhole(options.port, '--port', 0, 65535);
  const speed = parseSpeed(options.speed);
  checkHost(ctx, options);
  const merchants = await flagMerchant(ctx, options);
  const { startSimulator } = await import('../../../sim/index.js');
  let served = 0;
  const sim = await startSimulator({
    host: options.host,
    port,
    configDir: ctx.configDir,
    merchants,
    speed,
    allowRemoteNotify: options.allowRemoteNotify,
    onRequest: (entry) => {
      served += 1;
      ctx.out.info(logLine(ctx, entry));
    },
    onNotify: (attempt) => printAttempt(ctx, attempt),
  }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      'LISTEN_FAILED',
      `Cannot listen on ${options.host}:${port}: ${error.code ?? error.message}.`,
      {
        hint:
          error.code === 'EADDRINUSE'
            ? 'Choose another --port, or leave it out for a free one.'
            : undefined,
        cause: error,
      },
    );
  });
  const known = sim.simulator.merchants.list();
  if (ctx.out.json) {
    ctx.out.document({
      url: sim.url,
      host: sim.host,
      port: sim.port,
      state_file: sim.stateFile,
      merchants: known.map((m) => ({ mch_id: m.mch_id, appids: m.appids })),
    });
  } else {
    ctx.out.data(sim.url);
  }
  ctx.out.info(
    `wxpay simulator on ${sim.url} (state ${sim.stateFile}); merchants: ${known.map((m) => `${m.mch_id} (${m.appids.join(', ')})`).join('; ')}. Ctrl-C stops it.`,
  );
  await new Promise<void>((resolve) => {
    const off = onInterrupt(() => {
      off();
      resolve();
    });
  });
  await sim.close(stopWaitNotice((text) => ctx.out.info(text)));
  ctx.out.info(
    `Simulator stopped after ${served} request${served === 1 ? '' : 's'}.`,
  );
  return 0;
};
