import { InputError, UsageError } from '../../../core/errors.js';
import { escapeControls } from '../../../core/safe-text.js';
import type { Fault, FaultSpec } from '../../../sim/faults.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { parseMilliseconds, parseWhole } from './shared.js';

interface FaultOptions {
  url?: string;
  path: string;
  count?: string;
  latency?: string;
  errCode?: string;
  errCodeDes?: string;
  drop?: boolean;
  httpStatus?: string;
  clear?: boolean | string;
}

/** The fault the flags describe, or undefined when they describe none. */
function specFromFlags(options: FaultOptions): FaultSpec | undefined {
  const spec: FaultSpec = { path: options.path };
  if (options.count !== undefined) {
    spec.count = parseWhole(options.count, '--count', 1, 1_000_000);
  }
  if (options.latency !== undefined) {
    spec.latencyMs = parseMilliseconds(options.latency, '--latency');
  }
  if (options.errCode !== undefined) spec.errCode = options.errCode;
  if (options.errCodeDes !== undefined) spec.errCodeDes = options.errCodeDes;
  if (options.drop) spec.drop = true;
  if (options.httpStatus !== undefined) {
    spec.httpStatus = parseWhole(options.httpStatus, '--http-status', 500, 599);
  }
  const effects = ['latencyMs', 'errCode', 'drop', 'httpStatus'].filter(
    (name) => name in spec,
  );
  if (effects.length > 1) {
    throw new UsageError(
      'FAULT_EFFECTS',
      'Give one of --latency, --err-code, --drop or --http-status per command.',
      {
        hint: 'Run the command once per fault; they add up.',
      },
    );
  }
  return effects.length === 0 ? undefined : spec;
}

/** The same three operations, on a running server or on the state file. */
interface FaultBook {
  add(spec: FaultSpec): Promise<Fault>;
  list(): Promise<Fault[]>;
  clear(id?: string): Promise<number>;
}

async function openBook(ctx: Context, url?: string): Promise<FaultBook> {
  if (url) {
    const { SimulatorAdminClient } =
      await import('../../../sim/admin-client.js');
    const client = new SimulatorAdminClient(url);
    return {
      add: async (spec) => (await client.addFaults([spec]))[0],
      list: () => client.listFaults(),
      clear: (id) => client.clearFaults(id),
    };
  }
  const { openSimulator } = await import('../../mock-runtime.js');
  const sim = await openSimulator(ctx);
  return {
    add: (spec) => sim.addFault(spec),
    list: () => sim.listFaults(),
    clear: (id) => sim.clearFaults(id),
  };
}

function unknownFault(id: string): InputError {
  return new InputError(
    'FAULT_NOT_FOUND',
    `No fault "${escapeControls(id)}" in force; nothing was removed.`,
    {
      hint: '`wxpay mock fault` lists the faults in force with their ids; a fault with --count is gone once used up.',
    },
  );
}

function describe(fault: Fault): string {
  const effect =
    fault.kind === 'latency'
      ? `+${fault.latencyMs} ms`
      : fault.kind === 'err_code'
        ? `err_code ${fault.errCode}${fault.errCodeDes ? ` (${fault.errCodeDes})` : ''}`
        : fault.kind === 'drop'
          ? 'drop connection'
          : `HTTP ${fault.httpStatus}`;
  const left =
    fault.remaining === null ? 'every request' : `${fault.remaining} more`;
  return [fault.id, fault.path, effect, left].map(escapeControls).join('\t');
}

/**
 * `wxpay mock fault`: adds one fault, clears faults, or lists them. Prints
 * the faults in force afterwards (tab-separated, or --json).
 */
export const faultRun: RunFn<FaultOptions> = async (ctx, _args, options) => {
  const spec = specFromFlags(options);
  if (spec && options.clear !== undefined) {
    throw new UsageError(
      'FAULT_AND_CLEAR',
      'Give either a fault or --clear, not both.',
    );
  }
  const book = await openBook(ctx, options.url);
  if (options.clear !== undefined) {
    const id = typeof options.clear === 'string' ? options.clear : undefined;
    const cleared = await book.clear(id);
    // Clearing every fault when there are none is fine; naming one that
    // does not exist is a mistake (a typo, or a fault already used up).
    if (id !== undefined && cleared === 0) throw unknownFault(id);
    ctx.out.success(`Removed ${cleared} fault${cleared === 1 ? '' : 's'}.`);
  } else if (spec) {
    const fault = await book.add(spec);
    ctx.out.success(
      `Added fault ${fault.id}: ${describe(fault).split('\t').slice(1).join(', ')}.`,
    );
  }
  const faults = await book.list();
  if (ctx.out.json) {
    ctx.out.document({ faults });
    return;
  }
  if (faults.length === 0) {
    ctx.out.info('No faults: the simulator answers normally.');
    return;
  }
  if (ctx.out.stdoutIsTTY)
    ctx.out.data(ctx.out.color.bold('id\tpath\teffect\tapplies to'));
  for (const fault of faults) ctx.out.data(describe(fault));
};
