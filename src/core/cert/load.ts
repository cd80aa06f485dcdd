import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import {
  describeCertificate,
  keyMatchesCertificate,
  type CertificateInfo,
} from './certificate.js';
import { unwrapPkcs12 } from './pkcs12.js';

/**
 * Where the merchant API certificate comes from: the profile fields of the
 * same names. `cert_pem` and `key_pem` are file paths or the PEM text itself.
 */
export interface CertificateSource {
  cert_p12?: string;
  cert_pem?: string;
  key_pem?: string;
  /** The p12 passphrase; defaults to mch_id, WeChat's default (spec 4.0). */
  cert_passphrase?: string;
  mch_id?: string;
}

/** The merchant API certificate, ready for mutual TLS. */
export interface ClientCertificate extends CertificateInfo {
  certPem: string;
  keyPem: string;
  format: 'p12' | 'pem';
  /** The file(s) it came from, for messages. */
  origin: string;
  /** For p12 files: the encryption schemes used. */
  encryption: string[];
  /** For p12 files: Node's OpenSSL would refuse it (legacy RC2-40). */
  refusedByOpenSsl: boolean;
  /** The private key belongs to the certificate. */
  keyMatches: boolean;
}

/** The `tls` option of a request that needs the merchant certificate. */
export interface ClientTlsOptions {
  cert: string;
  key: string;
}

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
const KEY_BLOCK =
  /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;
const CERT_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** True when the source names some certificate. */
export function hasCertificate(source: CertificateSource): boolean {
  return Boolean(source.cert_p12 || source.cert_pem);
}

/**
 * Loads the merchant certificate from a p12 file or a PEM pair. Legacy p12
 * files that OpenSSL 3 refuses load too (case B40). Throws ConfigError when
 * nothing is configured, a file is unreadable or the passphrase is wrong;
 * expiry, merchant and key checks are left to checkClientCertificate.
 */
export async function loadClientCertificate(
  source: CertificateSource,
): Promise<ClientCertificate> {
  if (source.cert_p12) return loadP12(source.cert_p12, source);
  if (source.cert_pem) return loadPem(source.cert_pem, source.key_pem);
  throw new ConfigError(
    'CERT_MISSING',
    'No merchant API certificate is configured (refunds and fund-flow bills need it).',
    {
      hint: 'Run `wxpay config set cert_p12 /path/apiclient_cert.p12`, or set cert_pem and key_pem to apiclient_cert.pem and apiclient_key.pem.',
    },
  );
}

async function loadP12(
  path: string,
  source: CertificateSource,
): Promise<ClientCertificate> {
  const der = await readBytes(path, 'cert_p12');
  const passphrase = source.cert_passphrase ?? source.mch_id ?? '';
  const unwrapped = unwrapPkcs12(der, passphrase, path);
  return {
    ...describeCertificate(unwrapped.certPem),
    certPem: unwrapped.certPem,
    keyPem: unwrapped.keyPem,
    format: 'p12',
    origin: path,
    encryption: unwrapped.encryption,
    refusedByOpenSsl: unwrapped.refusedByOpenSsl,
    keyMatches: keyMatchesCertificate(unwrapped.certPem, unwrapped.keyPem),
  };
}

async function loadPem(
  certValue: string,
  keyValue: string | undefined,
): Promise<ClientCertificate> {
  const certText = await pemText(certValue, 'cert_pem');
  const certPem = certText.match(CERT_BLOCK)?.[0];
  if (!certPem) {
    throw new ConfigError(
      'CERT_PEM_UNREADABLE',
      `cert_pem ${describe(certValue)} holds no certificate (-----BEGIN CERTIFICATE-----).`,
      { hint: 'Point cert_pem at apiclient_cert.pem.' },
    );
  }
  // `openssl pkcs12 -nodes` writes certificate and key into one file.
  const keyText = keyValue ? await pemText(keyValue, 'key_pem') : certText;
  const keyPem = keyText.match(KEY_BLOCK)?.[0];
  if (!keyPem) {
    throw new ConfigError(
      'KEY_PEM_MISSING',
      keyValue
        ? `key_pem ${describe(keyValue)} holds no unencrypted private key.`
        : 'cert_pem is set but key_pem is not.',
      {
        hint: 'Run `wxpay config set key_pem /path/apiclient_key.pem`; an encrypted key must be decrypted first (`openssl pkey -in key.pem -out apiclient_key.pem`).',
      },
    );
  }
  return {
    ...describeCertificate(certPem),
    certPem: `${certPem}\n`,
    keyPem: `${keyPem}\n`,
    format: 'pem',
    origin: [certValue, keyValue]
      .filter((value): value is string => Boolean(value))
      .map(describe)
      .join(' + '),
    encryption: [],
    refusedByOpenSsl: false,
    keyMatches: keyMatchesCertificate(certPem, keyPem),
  };
}

function describe(value: string): string {
  return PEM_BLOCK.test(value) ? '(inline PEM)' : value;
}

async function pemText(value: string, field: string): Promise<string> {
  if (PEM_BLOCK.test(value)) return value;
  return (await readBytes(value, field)).toString('utf8');
}

async function readBytes(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      'CERT_FILE_UNREADABLE',
      `Cannot read ${field} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}.`,
      {
        hint: `Check the path with \`wxpay config get ${field}\`; relative paths are resolved from the current folder, so prefer an absolute path.`,
        cause: error,
      },
    );
  }
}
