import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** What a merchant API certificate says about itself. */
export interface CertificateInfo {
  /** Subject attributes, e.g. `{ CN: '1900000109', O: '…' }`. */
  subject: Record<string, string>;
  /** The subject as one line, e.g. `CN=1900000109, O=…`. */
  subjectText: string;
  issuerText: string;
  /** Upper-case hex, as the merchant platform shows it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
}

export function describeCertificate(certPem: string): CertificateInfo {
  const cert = parseCertificate(certPem);
  const subject = nameObject(cert.toLegacyObject().subject);
  return {
    subject,
    subjectText: nameText(subject),
    issuerText: nameText(nameObject(cert.toLegacyObject().issuer)),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprint256: cert.fingerprint256,
  };
}

export function parseCertificate(certPem: string): X509Certificate {
  try {
    return new X509Certificate(certPem);
  } catch (error) {
    throw new ConfigError(
      'CERT_PEM_UNREADABLE',
      'The certificate is not a readable X.509 PEM (-----BEGIN CERTIFICATE-----).',
      {
        hint: 'Use apiclient_cert.pem from the merchant platform, or the .p12 file in cert_p12.',
        cause: error,
      },
    );
  }
}

/** True when the private key belongs to the certificate's public key. */
export function keyMatchesCertificate(
  certPem: string,
  keyPem: string,
): boolean {
  const cert = parseCertificate(certPem);
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new ConfigError(
      'KEY_PEM_UNREADABLE',
      'The private key is not a readable PEM key (-----BEGIN PRIVATE KEY-----).',
      {
        hint: 'Use apiclient_key.pem from the certificate tool; an encrypted key must be decrypted first (`openssl pkey -in key.pem -out apiclient_key.pem`).',
        cause: error,
      },
    );
  }
  return cert.checkPrivateKey(key);
}

/** How a certificate relates to a merchant number. */
export type MerchantMatch =
  | { status: 'match'; attribute: string }
  | { status: 'other'; attribute: string; found: string }
  | { status: 'unknown' };

const MERCHANT_NUMBER = /(?<!\d)\d{8,10}(?!\d)/g;
/** CN first: WeChat's certificates carry the merchant number there. */
const ATTRIBUTE_ORDER = ['CN', 'OU', 'O'];

/**
 * Finds the mch_id in the certificate subject. WeChat's merchant
 * certificates carry the merchant number in the subject, in the CN on the
 * certificates we have seen (case B40: `CN=1900000109`); which attribute
 * holds it is not pinned down in the official pages (UNCONFIRMED), so CN,
 * then OU, then O are searched for the number as a whole 8-10 digit run. A
 * subject with some other merchant number is a mismatch; a subject with no
 * such number at all is "unknown" (a warning, never a refusal).
 */
export function matchMerchant(
  info: Pick<CertificateInfo, 'subject'>,
  mchId: string,
): MerchantMatch {
  const attributes = Object.keys(info.subject).sort(
    (a, b) => rank(a) - rank(b),
  );
  let other: MerchantMatch | undefined;
  for (const attribute of attributes) {
    const numbers: string[] =
      info.subject[attribute].match(MERCHANT_NUMBER) ?? [];
    if (numbers.includes(mchId)) return { status: 'match', attribute };
    if (numbers.length > 0 && !other) {
      other = { status: 'other', attribute, found: numbers[0] };
    }
  }
  return other ?? { status: 'unknown' };
}

function rank(attribute: string): number {
  const index = ATTRIBUTE_ORDER.indexOf(attribute);
  return index < 0 ? ATTRIBUTE_ORDER.length : index;
}

/** Flattens Node's legacy name object (values may be arrays). */
function nameObject(
  raw: Record<string, string | string[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(' + ') : String(value);
  }
  return out;
}

function nameText(name: Record<string, string>): string {
  return Object.entries(name)
    .map(([attribute, value]) => `${attribute}=${value}`)
    .join(', ');
}
