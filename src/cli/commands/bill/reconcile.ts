import { UsageError } from '../../../core/errors.js';
import type { RunFn } from '../../command-kit.js';

export const reconcileRun: RunFn = async () => {
  throw new UsageError('NOT_READY', 'bill reconcile is being built.');
};
