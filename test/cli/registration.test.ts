import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createKit } from '../../src/cli/command-kit.js';
import { GROUPS, selectedCommand } from '../../src/cli/commands/index.js';
import { runCli } from '../helpers/cli.js';

describe('command registration', () => {
  it('keeps every summary equal to the group’s own description', async () => {
    for (const group of GROUPS) {
      const program = new Command();
      (await group.load())(program, createKit({} as never));
      const real = Object.fromEntries(
        program.commands.map((c) => [c.name(), c.description()]),
      );
      expect(real).toEqual(group.commands);
    }
  });

  it.each([
    [['order', 'create'], 'order'],
    [['-p', 'shop', 'order', 'create'], 'order'],
    [['--profile', 'shop', '--json', 'refund'], 'refund'],
    [['--mock', 'help', 'bill'], 'bill'],
    [['--help'], undefined],
    [[], undefined],
  ])('selects the command of %j', (argv, name) => {
    expect(selectedCommand(argv)).toBe(name);
  });

  it('lists every command in the root help', async () => {
    const help = (await runCli(['--help'])).stdout;
    for (const group of GROUPS) {
      for (const [name, summary] of Object.entries(group.commands)) {
        expect(help).toContain(name);
        expect(help.replace(/\s+/g, ' ')).toContain(summary);
      }
    }
  });

  it('shows the full options of the group that runs', async () => {
    const help = (await runCli(['order', 'create', '--help'])).stdout;
    expect(help).toContain('--out-trade-no');
    expect(help).toContain('Examples:');
  });
});

describe('help pages', () => {
  it('shows examples on the root and on every group page', async () => {
    expect((await runCli(['--help'])).stdout).toContain('Examples:');
    for (const group of GROUPS) {
      for (const name of Object.keys(group.commands)) {
        const help = (await runCli([name, '--help'])).stdout;
        expect(help, `wxpay ${name} --help`).toContain('Examples:');
        expect(help, `wxpay ${name} --help`).toContain('Global options:');
      }
    }
  });

  it('names the root options and the exit codes on sign sub-commands', async () => {
    for (const sub of ['verify', 'diagnose']) {
      const help = (await runCli(['sign', sub, '--help'])).stdout;
      expect(help).toContain('Global options: --json');
      expect(help).toMatch(/Exit codes: 0 .*, 1 .*, 2 bad input/);
    }
    // The root help lists those options itself, once.
    const root = (await runCli(['--help'])).stdout;
    expect(root).not.toContain('Global options:');
  });
});
