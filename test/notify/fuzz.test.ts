import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAcknowledgement,
  InputError,
  readNotification,
  type NotifyProfile,
} from '../../src/index.js';
import { caseText } from '../helpers/fixtures.js';

const PROFILE: NotifyProfile = {
  key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  appid: 'wx0123456789abcdef',
  mchId: '1900000109',
};
const SEEDS = [
  caseText('B22-notify-coupon.xml'),
  caseText('B29-refund-notify.xml'),
  caseText('B26-notify-return-fail.xml'),
];
const SNIPPETS = [
  '<',
  '>',
  '&',
  ']]>',
  '<![CDATA[',
  '</xml>',
  '<xml>',
  '<!DOCTYPE x>',
  '&amp;',
  '\u0000',
  '"',
  '<a/>',
  '<?xml?>',
];

/** Either a result, or an InputError that says what is wrong. */
function readOrRefuse(body: string | Uint8Array): void {
  try {
    const result = readNotification(body, PROFILE);
    expect(['payment', 'refund', 'unknown']).toContain(result.kind);
    expect(typeof result.valid).toBe('boolean');
    expect(result.message.length).toBeGreaterThan(0);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const { code, message } = error as InputError;
    expect(code).toMatch(/^(XML|NOTIFY)_[A-Z0-9_]+$/);
    expect(message.length).toBeGreaterThan(10);
    // core/xml.ts can print "column undefined" for some validator errors
    // (reported to its owner); the reader's own messages must not.
    expect(message.replace('column undefined', 'column ?')).not.toMatch(
      /undefined|\[object/,
    );
  }
}

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 40 }),
        fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([seed, edits]) =>
    edits.reduce((text, [at, cut, insert]) => {
      const start = at % (text.length + 1);
      return text.slice(0, start) + insert + text.slice(start + cut);
    }, seed),
  );

describe('notification reader under malformed input', () => {
  it('never crashes on mutated notifications: a result or a clear InputError', () => {
    fc.assert(fc.property(mutated, readOrRefuse), { numRuns: 1500 });
  });

  it('never crashes on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), readOrRefuse), {
      numRuns: 1000,
    });
  });

  it('never crashes on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), readOrRefuse), {
      numRuns: 1000,
    });
  });

  it('judges any handler reply without throwing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
        fc.oneof(mutated, fc.string({ maxLength: 200 })),
        (status, type, body) => {
          const verdict = checkAcknowledgement(status, type, body);
          expect(verdict.acknowledged).toBe(verdict.problems.length === 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
