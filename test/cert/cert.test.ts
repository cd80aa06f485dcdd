import { writeFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  checkClientCertificate,
  clientTls,
  loadClientCertificate,
  matchMerchant,
} from '../../src/core/cert/index.js';
import { tempConfigDir } from '../helpers/cli.js';
import { caseJson, fixturePath } from '../helpers/fixtures.js';
import { makeCert, writeP12, writePem } from './make-certs.js';

const B40 = fixturePath('cases', 'B40-apiclient_cert-legacy-rc2.p12');
const MCH_ID = '1900000109';
/** A moment inside the B40 certificate's validity. */
const IN_B40_VALIDITY = new Date('2027-06-01T00:00:00Z');

async function loadError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('B40: a legacy RC2-40 p12 that OpenSSL 3 refuses', () => {
  it('is the file the case describes (Node alone refuses it)', () => {
    const expected = caseJson<{ node20_observed: Record<string, string> }>(
      'B40-expected.json',
    );
    expect(
      expected.node20_observed[
        'B40-apiclient_cert-legacy-rc2.p12 + "1900000109"'
      ],
    ).toBe('Error: Unsupported PKCS12 PFX data');
  });

  it('loads with the mch_id as the default passphrase and no flag', async () => {
    const cert = await loadClientCertificate({
      cert_p12: B40,
      mch_id: MCH_ID,
    });
    expect(cert.format).toBe('p12');
    expect(cert.subject).toEqual({
      CN: '1900000109',
      O: 'TEST ONLY not a real merchant',
    });
    expect(cert.subjectText).toBe(
      'CN=1900000109, O=TEST ONLY not a real merchant',
    );
    expect(cert.notBefore.toISOString()).toBe('2026-12-04T15:31:23.000Z');
    expect(cert.notAfter.toISOString()).toBe('2036-12-01T15:31:23.000Z');
    expect(cert.serialNumber).toBe('7D8AE7A328DF249FCE4B62383E7D5656F81696B8');
    expect(cert.encryption).toContain('pbeWithSHAAnd40BitRC2-CBC');
    expect(cert.refusedByOpenSsl).toBe(true);
    expect(cert.keyMatches).toBe(true);
    expect(cert.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('gives PEM TLS options that Node accepts', async () => {
    const { tls, certificate } = await clientTls(
      { cert_p12: B40, mch_id: MCH_ID },
      IN_B40_VALIDITY,
    );
    expect(tls.cert).toBe(certificate.certPem);
    expect(() => createSecureContext(tls)).not.toThrow();
  });

  it('passes every check for its own merchant, warning about legacy encryption', async () => {
    const cert = await loadClientCertificate({ cert_p12: B40, mch_id: MCH_ID });
    const checks = checkClientCertificate(cert, {
      mchId: MCH_ID,
      now: IN_B40_VALIDITY,
    });
    expect(checks.map((check) => [check.id, check.level])).toEqual([
      ['cert_merchant', 'ok'],
      ['cert_validity', 'ok'],
      ['cert_key_match', 'ok'],
      ['cert_legacy', 'warn'],
    ]);
    expect(checks[3].fix).toContain('openssl pkcs12 -legacy');
  });

  it('refuses a wrong passphrase with a hint about the mch_id, never echoing it', async () => {
    const error = await loadError(
      loadClientCertificate({
        cert_p12: B40,
        mch_id: MCH_ID,
        cert_passphrase: 'not-the-pass-123',
      }),
    );
    expect(error.code).toBe('CERT_PASSPHRASE_WRONG');
    expect(error.message).toContain(B40);
    expect(error.hint).toContain('mch_id');
    expect(`${error.message} ${error.hint}`).not.toContain('not-the-pass-123');
  });

  it('refuses when the default passphrase (another mch_id) is wrong', async () => {
    const error = await loadError(
      loadClientCertificate({ cert_p12: B40, mch_id: '1900000999' }),
    );
    expect(error.code).toBe('CERT_PASSPHRASE_WRONG');
  });
});

describe('p12 files made today', () => {
  it('load with a configured passphrase (AES-256 and 3DES)', async () => {
    const dir = tempConfigDir();
    const made = makeCert();
    for (const algorithm of ['aes256', '3des'] as const) {
      const path = writeP12(
        dir,
        made,
        'secret pass',
        algorithm,
        `${algorithm}.p12`,
      );
      const cert = await loadClientCertificate({
        cert_p12: path,
        mch_id: MCH_ID,
        cert_passphrase: 'secret pass',
      });
      expect(cert.subject.CN).toBe(MCH_ID);
      expect(cert.keyMatches).toBe(true);
      expect(cert.refusedByOpenSsl).toBe(false);
    }
  });

  it('explains a file that is not a p12', async () => {
    const dir = tempConfigDir();
    const [certPath] = writePem(dir, makeCert());
    const error = await loadError(
      loadClientCertificate({ cert_p12: certPath, mch_id: MCH_ID }),
    );
    expect(error.code).toBe('CERT_P12_UNREADABLE');
    expect(error.hint).toContain('cert_pem');
  });

  it('names a missing file', async () => {
    const error = await loadError(
      loadClientCertificate({ cert_p12: '/nonexistent/apiclient_cert.p12' }),
    );
    expect(error.code).toBe('CERT_FILE_UNREADABLE');
    expect(error.message).toBe(
      'Cannot read cert_p12 /nonexistent/apiclient_cert.p12: no such file.',
    );
  });
});

describe('PEM certificate and key', () => {
  it('loads a matching pair from files', async () => {
    const dir = tempConfigDir();
    const [certPath, keyPath] = writePem(dir, makeCert());
    const cert = await loadClientCertificate({
      cert_pem: certPath,
      key_pem: keyPath,
    });
    expect(cert.format).toBe('pem');
    expect(cert.keyMatches).toBe(true);
    expect(cert.origin).toBe(`${certPath} + ${keyPath}`);
  });

  it('loads one file holding both (openssl pkcs12 -nodes output)', async () => {
    const dir = tempConfigDir();
    const made = makeCert();
    const both = `${dir}/cert-and-key.pem`;
    writeFileSync(both, `Bag Attributes\n${made.keyPem}${made.certPem}`);
    const cert = await loadClientCertificate({ cert_pem: both });
    expect(cert.keyMatches).toBe(true);
  });

  it('detects a key that belongs to another certificate, and refuses to use it', async () => {
    const dir = tempConfigDir();
    const other = makeCert({ keyIndex: 1 });
    const [certPath, keyPath] = writePem(dir, makeCert(), other.keyPem);
    const source = { cert_pem: certPath, key_pem: keyPath, mch_id: MCH_ID };
    const cert = await loadClientCertificate(source);
    expect(cert.keyMatches).toBe(false);
    const check = checkClientCertificate(cert, { mchId: MCH_ID }).find(
      (item) => item.id === 'cert_key_match',
    );
    expect(check?.level).toBe('fail');
    const error = await loadError(clientTls(source));
    expect(error.code).toBe('CERT_UNUSABLE');
    expect(error.details).toEqual({ check: 'cert_key_match' });
  });

  it('asks for key_pem when only the certificate is given', async () => {
    const dir = tempConfigDir();
    const [certPath] = writePem(dir, makeCert());
    const error = await loadError(
      loadClientCertificate({ cert_pem: certPath }),
    );
    expect(error.code).toBe('KEY_PEM_MISSING');
    expect(error.hint).toContain('wxpay config set key_pem');
  });

  it('says how to configure a certificate when none is set', async () => {
    const error = await loadError(loadClientCertificate({ mch_id: MCH_ID }));
    expect(error.code).toBe('CERT_MISSING');
    expect(error.hint).toContain('wxpay config set cert_p12');
  });
});

describe('certificate checks', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  const day = 86_400_000;

  async function checksFor(
    options: Parameters<typeof makeCert>[0],
    mchId = MCH_ID,
  ) {
    const made = makeCert(options);
    const cert = await loadClientCertificate({
      cert_pem: made.certPem,
      key_pem: made.keyPem,
    });
    return Object.fromEntries(
      checkClientCertificate(cert, { mchId, now }).map((check) => [
        check.id,
        check,
      ]),
    );
  }

  it('fails an expired certificate with the renewal fix', async () => {
    const checks = await checksFor({
      notBefore: new Date(now.getTime() - 400 * day),
      notAfter: new Date('2026-12-31T00:00:00Z'),
    });
    expect(checks.cert_validity.level).toBe('fail');
    expect(checks.cert_validity.message).toBe(
      'The certificate expired on 2026-12-31T00:00:00.000Z.',
    );
    expect(checks.cert_validity.fix).toContain('API安全');
  });

  it('warns 30 days before expiry', async () => {
    const checks = await checksFor({
      notBefore: new Date(now.getTime() - 300 * day),
      notAfter: new Date(now.getTime() + 10 * day),
    });
    expect(checks.cert_validity.level).toBe('warn');
    expect(checks.cert_validity.message).toContain('expires in 10 day(s)');
  });

  it('fails a certificate of another merchant', async () => {
    const checks = await checksFor({
      subject: { CN: '1900000999', O: 'someone else' },
      notBefore: new Date(now.getTime() - day),
    });
    expect(checks.cert_merchant.level).toBe('fail');
    expect(checks.cert_merchant.message).toBe(
      'The certificate is for merchant 1900000999 (CN), not mch_id 1900000109.',
    );
  });

  it('warns when the subject names no merchant number', async () => {
    const checks = await checksFor({
      subject: { CN: 'example.com' },
      notBefore: new Date(now.getTime() - day),
    });
    expect(checks.cert_merchant.level).toBe('warn');
  });

  it('finds the mch_id in OU when CN holds the company name', () => {
    expect(
      matchMerchant(
        {
          subject: { CN: '某某有限公司', OU: '1900000109', O: '微信商户系统' },
        },
        MCH_ID,
      ),
    ).toEqual({ status: 'match', attribute: 'OU' });
    // A longer digit run is not a merchant number.
    expect(
      matchMerchant({ subject: { CN: '19000001091234' } }, MCH_ID),
    ).toEqual({ status: 'unknown' });
  });
});
