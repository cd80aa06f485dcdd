import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the config folder is: WXPAY_CONFIG_DIR, else XDG, else ~/.config. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.WXPAY_CONFIG_DIR) return env.WXPAY_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'wxpay');
}
