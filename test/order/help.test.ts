import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('help', () => {
  it.each([
    ['order', 'create'],
    ['order', 'query'],
    ['order', 'close'],
    ['paysign'],
    ['openid'],
  ])('wxpay %s %s --help shows examples', async (...command) => {
    const result = await runCli([...command.filter(Boolean), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain(
      `$ wxpay ${command.filter(Boolean).join(' ')}`,
    );
  });
});
