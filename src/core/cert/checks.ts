import { ConfigError } from '../errors.js';
import { matchMerchant, type MerchantMatch } from './certificate.js';
import {
  loadClientCertificate,
  type CertificateSource,
  type ClientCertificate,
  type ClientTlsOptions,
} from './load.js';

/** One verdict on the certificate, with the fix when it is not fine. */
export interface CertificateCheck {
  id: 'cert_merchant' | 'cert_validity' | 'cert_key_match' | 'cert_legacy';
  level: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

/** Days before expiry from which the validity check warns. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/**
 * Checks the certificate against the merchant and the clock: it belongs to
 * mch_id, is within its validity period, and its key matches. WeChat answers
 * CERT_ERROR for a wrong, expired or revoked certificate (spec 4.4); these
 * checks name the cause before a request is sent.
 */
export function checkClientCertificate(
  cert: ClientCertificate,
  options: { mchId?: string; now?: Date },
): CertificateCheck[] {
  const now = options.now ?? new Date();
  const checks: CertificateCheck[] = [
    merchantCheck(cert, options.mchId),
    validityCheck(cert, now),
    cert.keyMatches
      ? {
          id: 'cert_key_match',
          level: 'ok',
          message: 'The private key matches the certificate.',
        }
      : {
          id: 'cert_key_match',
          level: 'fail',
          message: `The private key does not belong to the certificate (${cert.origin}).`,
          fix: 'Use apiclient_cert.pem and apiclient_key.pem from the same download; a renewed certificate comes with a new key.',
        },
  ];
  if (cert.refusedByOpenSsl) {
    checks.push({
      id: 'cert_legacy',
      level: 'warn',
      message: `${cert.origin} uses legacy encryption (${cert.encryption.join(', ') || 'RC2/3DES'}) that OpenSSL 3 refuses ("Unsupported PKCS12 PFX data"); wxpay reads it anyway.`,
      fix: 'For other tools, convert it once: `openssl pkcs12 -legacy -in apiclient_cert.p12 -nodes -out cert-and-key.pem` (passphrase: the mch_id).',
    });
  }
  return checks;
}

function merchantCheck(
  cert: ClientCertificate,
  mchId: string | undefined,
): CertificateCheck {
  if (!mchId) {
    return {
      id: 'cert_merchant',
      level: 'warn',
      message: `Cannot tell whose certificate this is: the profile has no mch_id (subject ${cert.subjectText}).`,
      fix: 'Run `wxpay config set mch_id`.',
    };
  }
  const match: MerchantMatch = matchMerchant(cert, mchId);
  if (match.status === 'match') {
    return {
      id: 'cert_merchant',
      level: 'ok',
      message: `The certificate belongs to mch_id ${mchId} (${match.attribute}).`,
    };
  }
  if (match.status === 'other') {
    return {
      id: 'cert_merchant',
      level: 'fail',
      message: `The certificate is for merchant ${match.found} (${match.attribute}), not mch_id ${mchId}.`,
      fix: `Download the API certificate of merchant ${mchId} from the merchant platform (账户中心 > API安全), or switch to the profile of merchant ${match.found}.`,
    };
  }
  return {
    id: 'cert_merchant',
    level: 'warn',
    message: `The certificate subject (${cert.subjectText}) names no merchant number; cannot confirm it belongs to mch_id ${mchId}.`,
    fix: 'Check that this is apiclient_cert from the merchant platform, not another certificate.',
  };
}

function validityCheck(cert: ClientCertificate, now: Date): CertificateCheck {
  const until = cert.notAfter.toISOString();
  if (now < cert.notBefore) {
    return {
      id: 'cert_validity',
      level: 'fail',
      message: `The certificate is not valid before ${cert.notBefore.toISOString()}.`,
      fix: "Check the computer's clock, or wait until the certificate becomes valid.",
    };
  }
  if (now > cert.notAfter) {
    return {
      id: 'cert_validity',
      level: 'fail',
      message: `The certificate expired on ${until}.`,
      fix: 'Renew the API certificate in the merchant platform (账户中心 > API安全) and configure the new files.',
    };
  }
  const daysLeft = Math.floor(
    (cert.notAfter.getTime() - now.getTime()) / 86_400_000,
  );
  if (daysLeft < CERT_EXPIRY_WARNING_DAYS) {
    return {
      id: 'cert_validity',
      level: 'warn',
      message: `The certificate expires in ${daysLeft} day(s), on ${until}.`,
      fix: 'Renew the API certificate in the merchant platform (账户中心 > API安全) before it expires.',
    };
  }
  return {
    id: 'cert_validity',
    level: 'ok',
    message: `The certificate is valid until ${until}.`,
  };
}

/**
 * Loads the certificate and refuses to use it when a check fails, so a
 * refund never goes out with a certificate WeChat will reject.
 */
export async function clientTls(
  source: CertificateSource,
  now = new Date(),
): Promise<{ tls: ClientTlsOptions; certificate: ClientCertificate }> {
  const certificate = await loadClientCertificate(source);
  const failed = checkClientCertificate(certificate, {
    mchId: source.mch_id,
    now,
  }).find((check) => check.level === 'fail');
  if (failed) {
    throw new ConfigError('CERT_UNUSABLE', failed.message, {
      hint: failed.fix,
      details: { check: failed.id },
    });
  }
  return { tls: toTlsOptions(certificate), certificate };
}

export function toTlsOptions(cert: ClientCertificate): ClientTlsOptions {
  return { cert: cert.certPem, key: cert.keyPem };
}
