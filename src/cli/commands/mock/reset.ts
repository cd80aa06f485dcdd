import type { RunFn } from '../../command-kit.js';

/** `wxpay mock reset`: the simulator forgets everything. */
export const resetRun: RunFn<{ url?: string }> = async (
  ctx,
  _args,
  options,
) => {
  let where: string;
  if (options.url) {
    const { SimulatorAdminClient } =
      await import('../../../sim/admin-client.js');
    await new SimulatorAdminClient(options.url).reset();
    where = options.url;
  } else {
    const { openSimulator } = await import('../../mock-runtime.js');
    const sim = await openSimulator(ctx);
    await sim.reset();
    where = sim.stateFile ?? 'memory';
  }
  if (ctx.out.json) {
    ctx.out.document({ reset: true, target: where });
    return;
  }
  ctx.out.success(`Simulator state cleared (${where}).`);
};
