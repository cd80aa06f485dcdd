import type { Finding } from '../../../core/doctor.js';
import type { Profile } from '../../../core/profile.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';

export async function onlineProbe(
  _ctx: Context,
  _profile: Profile,
  _mock: boolean,
): Promise<{ finding: Finding; exitCode: number }> {
  return {
    finding: { id: 'online', level: 'skip', message: 'Not available yet.' },
    exitCode: EXIT.OK,
  };
}
