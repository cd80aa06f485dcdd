import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { ConfigError } from '../errors.js';

/** A PKCS#12 file opened in memory: the merchant certificate and its key. */
export interface UnwrappedPkcs12 {
  /** The merchant (leaf) certificate, PEM. */
  certPem: string;
  /** Its private key, PKCS#8 PEM (the shape of WeChat's apiclient_key.pem). */
  keyPem: string;
  /** Other certificates in the file (issuers), PEM. */
  chainPem: string[];
  /** The encryption schemes the file uses, e.g. `pbeWithSHAAnd40BitRC2-CBC`. */
  encryption: string[];
  /**
   * True when this Node's OpenSSL refuses the file ("Unsupported PKCS12 PFX
   * data", OpenSSL 3 without the legacy provider): older WeChat certificates
   * are encrypted with RC2-40, which OpenSSL 3 moved to its legacy provider.
   */
  refusedByOpenSsl: boolean;
}

/** Password-based encryption schemes a PKCS#12 file may use (RFC 7292, 8018). */
const PBE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
  '1.2.840.113549.1.12.1.3': 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.4': 'pbeWithSHAAnd2-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.5': 'pbeWithSHAAnd128BitRC2-CBC',
  '1.2.840.113549.1.12.1.6': 'pbeWithSHAAnd40BitRC2-CBC',
  '1.2.840.113549.1.5.13': 'PBES2',
};

/**
 * Opens a PKCS#12 (.p12/.pfx) file with node-forge, which reads every scheme
 * WeChat has used, legacy RC2-40 and 3DES included, whatever the OpenSSL
 * build; the result is plain PEM that Node's TLS accepts (case B40).
 *
 * @param der the file's bytes
 * @param passphrase WeChat's default is the mch_id (spec 4.0)
 * @param source named in errors, e.g. the file path
 */
export function unwrapPkcs12(
  der: Buffer,
  passphrase: string,
  source = 'the .p12 file',
): UnwrappedPkcs12 {
  const asn1 = readAsn1(der, source);
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    throw openError(error, source);
  }
  const keys = bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag).concat(
    bagsOf(p12, forge.pki.oids.keyBag),
  );
  const certs = bagsOf(p12, forge.pki.oids.certBag);
  const key = keys.find((bag) => bag.key)?.key;
  if (!key || certs.length === 0) {
    throw new ConfigError(
      'CERT_P12_INCOMPLETE',
      `${source} does not hold both a certificate and its private key.`,
      {
        hint: 'Use the apiclient_cert.p12 downloaded from the merchant platform, or set cert_pem and key_pem.',
      },
    );
  }
  const keyPem = createPrivateKey(forge.pki.privateKeyToPem(key))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const pems = certs
    .filter((bag) => bag.cert)
    .map((bag) => forge.pki.certificateToPem(bag.cert!));
  const leaf = pems.find((pem) => certMatchesKey(pem, keyPem)) ?? pems[0];
  return {
    certPem: leaf,
    keyPem,
    chainPem: pems.filter((pem) => pem !== leaf),
    encryption: encryptionSchemes(asn1),
    refusedByOpenSsl: refusedByOpenSsl(der, passphrase),
  };
}

function readAsn1(der: Buffer, source: string): forge.asn1.Asn1 {
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  } catch (error) {
    throw new ConfigError(
      'CERT_P12_UNREADABLE',
      `${source} is not a PKCS#12 (.p12) file.`,
      {
        hint: 'A PEM file (-----BEGIN CERTIFICATE-----) goes in cert_pem, with its key in key_pem.',
        cause: error,
      },
    );
  }
}

function openError(error: unknown, source: string): ConfigError {
  const message = (error as Error).message ?? String(error);
  if (/MAC could not be verified|Invalid password/i.test(message)) {
    return new ConfigError(
      'CERT_PASSPHRASE_WRONG',
      `The passphrase does not open ${source} (the file's integrity check failed).`,
      {
        hint: "WeChat's p12 passphrase is the merchant number (mch_id). If yours was exported with another one, run `wxpay config set cert_passphrase` (masked prompt).",
        cause: error,
      },
    );
  }
  return new ConfigError(
    'CERT_P12_UNREADABLE',
    `Cannot open ${source}: ${message}`,
    {
      hint: 'Convert it once with `openssl pkcs12 -legacy -in apiclient_cert.p12 -nodes -out cert-and-key.pem` and set cert_pem to that file, or use apiclient_cert.pem and apiclient_key.pem.',
      cause: error,
    },
  );
}

function bagsOf(
  p12: forge.pkcs12.Pkcs12Pfx,
  bagType: string,
): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

function certMatchesKey(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(
      createPrivateKey(keyPem),
    );
  } catch {
    return false;
  }
}

/**
 * Names of the encryption schemes in the file. The authenticated-safe is
 * nested DER inside OCTET STRINGs, so those are opened as well; encrypted
 * bytes that happen to parse cannot hold the PBE object identifiers.
 */
function encryptionSchemes(root: forge.asn1.Asn1): string[] {
  const found = new Set<string>();
  const visit = (node: forge.asn1.Asn1, depth: number): void => {
    if (depth > 12) return;
    if (node.type === forge.asn1.Type.OID && typeof node.value === 'string') {
      const name = PBE_NAMES[forge.asn1.derToOid(node.value)];
      if (name) found.add(name);
      return;
    }
    if (Array.isArray(node.value)) {
      for (const child of node.value) visit(child, depth + 1);
      return;
    }
    if (node.type === forge.asn1.Type.OCTETSTRING && node.value.length > 1) {
      const inner = tryDer(node.value);
      if (inner) visit(inner, depth + 1);
    }
  };
  visit(root, 0);
  return [...found];
}

function tryDer(bytes: string): forge.asn1.Asn1 | undefined {
  if (bytes.charCodeAt(0) !== 0x30) return undefined;
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(bytes), false);
  } catch {
    return undefined;
  }
}

/**
 * Whether Node's own OpenSSL would refuse this file. The message OpenSSL 3
 * gives ("Unsupported PKCS12 PFX data") is the legacy-cipher problem, not a
 * wrong passphrase; wxpay reads the file anyway, but other tools will fail.
 */
function refusedByOpenSsl(der: Buffer, passphrase: string): boolean {
  try {
    createSecureContext({ pfx: der, passphrase });
    return false;
  } catch (error) {
    return /unsupported/i.test((error as Error).message);
  }
}
