import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * Throwaway merchant certificates for tests, made in-process (no network,
 * no openssl binary): a self-signed RSA certificate with the given subject.
 */
export interface TestCert {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

const keyCache: string[] = [];

/** RSA keys are slow to make; tests share a few (index 0, 1, ...). */
function rsaKeyPem(index: number): string {
  while (keyCache.length <= index) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyCache.push(
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
  }
  return keyCache[index];
}

export function makeCert(
  options: {
    subject?: Record<string, string>;
    notBefore?: Date;
    notAfter?: Date;
    keyIndex?: number;
  } = {},
): TestCert {
  const keyPem = rsaKeyPem(options.keyIndex ?? 0);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0a1b2c3d';
  cert.validity.notBefore =
    options.notBefore ?? new Date(Date.now() - 86_400_000);
  cert.validity.notAfter =
    options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const attrs = Object.entries(
    options.subject ?? { CN: '1900000109', O: 'wxpay test merchant' },
  ).map(([shortName, value]) => ({ shortName, value }));
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, cert, key };
}

/** A p12 file of the certificate, in `dir`; returns its path. */
export function writeP12(
  dir: string,
  cert: TestCert,
  passphrase: string,
  algorithm: 'aes256' | '3des' = 'aes256',
  name = 'apiclient_cert.p12',
): string {
  const asn1 = forge.pkcs12.toPkcs12Asn1(cert.key, [cert.cert], passphrase, {
    algorithm,
  });
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  return path;
}

/** Writes the PEM pair; returns [certPath, keyPath]. */
export function writePem(dir: string, cert: TestCert, keyPem = cert.keyPem) {
  const certPath = join(dir, 'apiclient_cert.pem');
  const keyPath = join(dir, 'apiclient_key.pem');
  writeFileSync(certPath, cert.certPem);
  writeFileSync(keyPath, keyPem);
  return [certPath, keyPath] as const;
}
