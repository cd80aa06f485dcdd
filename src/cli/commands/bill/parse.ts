import { UsageError } from '../../../core/errors.js';
import type { RunFn } from '../../command-kit.js';

export const parseRun: RunFn = async () => {
  throw new UsageError('NOT_READY', 'bill parse is being built.');
};
