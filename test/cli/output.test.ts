import { PassThrough, Readable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/output.js';

function output() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk));
  const out = new Output(
    {
      stdout: new PassThrough(),
      stderr,
      stdin: Readable.from([]),
      env: {},
    },
    {},
    Chalk,
  );
  return { out, text: () => text };
}

describe('Output warnings', () => {
  it('says every event, even when two are alike', () => {
    const { out, text } = output();
    out.warn('Refused a body over 262144 bytes.');
    out.warn('Refused a body over 262144 bytes.');
    expect(text().match(/Refused/g)).toHaveLength(2);
  });

  it('says a warning about the input once', () => {
    const { out, text } = output();
    out.warnOnce('The key has whitespace.');
    out.warnOnce('The key has whitespace.');
    out.warnOnce('Another thing.');
    expect(text()).toBe('! The key has whitespace.\n! Another thing.\n');
  });
});
