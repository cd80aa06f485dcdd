import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('wxpay sign', () => {
  it('signs the official example with a key from stdin', async () => {
    const result = await runCli(
      [
        'sign',
        'appid=wxd930ea5d5a258f4f',
        'mch_id=10000100',
        'device_info=1000',
        'body=test',
        'nonce_str=ibuaiVcKdpRxkhJA',
        '--key-file',
        '-',
      ],
      { stdin: '192006250b4c09247ec02edce69f6a2d\n' },
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: '9A0A8659F005D6984697E2CA0A9CF3B7\n',
    });
  });
});
