import type { Command } from 'commander';
import type { Kit } from '../command-kit.js';
import { registerBill } from './bill/index.js';
import { registerConfig } from './config/index.js';
import { registerDoctor } from './doctor/index.js';
import { registerFundflow } from './download/index.js';
import { registerKf } from './kf/index.js';
import { registerMock } from './mock/index.js';
import { registerNotify } from './notify/index.js';
import { registerOrder } from './order/index.js';
import { registerRefund } from './refund/index.js';
import { registerSign } from './sign/index.js';

/**
 * Every command group, registered on the root program. Registration only
 * declares flags and help; each command's code is imported when it runs.
 */
export function registerCommands(program: Command, kit: Kit): void {
  registerSign(program, kit);
  registerConfig(program, kit);
  registerOrder(program, kit);
  registerBill(program, kit);
  registerDoctor(program, kit);
  registerRefund(program, kit);
  registerFundflow(program, kit);
  registerNotify(program, kit);
  registerKf(program, kit);
  registerMock(program, kit);
}
