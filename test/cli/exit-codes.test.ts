import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ConfigError,
  DiscrepancyError,
  InputError,
  InterruptedError,
  NetworkError,
  SignatureError,
  UsageError,
} from '../../src/core/errors.js';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import pkg from '../../package.json' with { type: 'json' };
import { VERSION } from '../../src/cli/version.js';

describe('exit codes', () => {
  it.each([
    [new UsageError('X', 'm'), 2],
    [new InputError('X', 'm'), 2],
    [new ConfigError('X', 'm'), 4],
    [new NetworkError('X', 'm'), 3],
    [new SignatureError('X', 'm'), 1],
    [new ApiError('X', 'm'), 1],
    [new DiscrepancyError('X', 'm'), 1],
    [new InterruptedError(), 130],
    [Object.assign(new Error('cancelled'), { name: 'ExitPromptError' }), 130],
  ])('maps %s to %d', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  it('documents the table in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(EXIT.OK);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '130']) {
      expect(result.stdout).toContain(`  ${code}`);
    }
  });

  it('exits 2 for an unknown command and suggests the right one', async () => {
    const result = await runCli(['sgin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean sign?');
  });

  it('exits 2 for an unknown option', async () => {
    expect((await runCli(['sign', '--nope'])).code).toBe(2);
  });

  it('prints the version of package.json', async () => {
    expect(VERSION).toBe(pkg.version);
    expect((await runCli(['--version'])).stdout).toBe(`${pkg.version}\n`);
  });

  it('gives every command an example in its help', async () => {
    for (const args of [
      ['sign'],
      ['sign', 'verify'],
      ['sign', 'diagnose'],
      ['config', 'init'],
      ['config', 'set'],
    ]) {
      const result = await runCli([...args, '--help']);
      expect(result.stdout).toContain('Examples:');
    }
  });
});
