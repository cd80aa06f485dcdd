import type { Command } from 'commander';
import type { Kit } from '../../command-kit.js';

export function registerConfig(_program: Command, _kit: Kit): void {}
