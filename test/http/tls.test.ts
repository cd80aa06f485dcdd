import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NetworkError } from '../../src/core/errors.js';
import { makeClient, signedAnswer } from './support.js';

interface Pair {
  certPem: string;
  keyPem: string;
}

function keyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A certificate for `cn`, signed by `issuer` (self-signed without one). */
function certificate(cn: string, issuer?: Pair, serverIp?: string): Pair {
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = String(Math.floor(Math.random() * 1e9));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  const issuerCert = issuer
    ? forge.pki.certificateFromPem(issuer.certPem)
    : cert;
  cert.setIssuer(issuerCert.subject.attributes);
  const extensions: object[] = [{ name: 'basicConstraints', cA: !issuer }];
  if (serverIp)
    extensions.push({
      name: 'subjectAltName',
      altNames: [{ type: 7, ip: serverIp }],
    });
  cert.setExtensions(extensions);
  const signer = forge.pki.privateKeyFromPem(
    issuer ? issuer.keyPem : keys.privatePem,
  );
  cert.sign(signer, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

async function mutualTlsServer(ca: Pair, seen: string[]): Promise<string> {
  const serverCert = certificate('127.0.0.1', ca, '127.0.0.1');
  const server: Server = createServer(
    {
      cert: serverCert.certPem,
      key: serverCert.keyPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      seen.push(
        (req.socket as TLSSocket).getPeerCertificate().subject.CN as string,
      );
      req.resume();
      req.on('end', () => res.end(signedAnswer({ refund_id: '50000000001' })));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('client certificate (refund, downloadfundflow)', () => {
  const ca = certificate('wxpay test CA');
  const merchant = certificate('1900000109', ca);

  it('presents the PEM certificate on a certificate call', async () => {
    const seen: string[] = [];
    const url = await mutualTlsServer(ca, seen);
    const { client } = makeClient({
      baseUrl: url,
      tls: { cert: merchant.certPem, key: merchant.keyPem, ca: ca.certPem },
    });
    try {
      const result = await client.call(
        '/secapi/pay/refund',
        { out_refund_no: 'R1' },
        { cert: true },
      );
      expect(result.fields.refund_id).toBe('50000000001');
      expect(seen).toEqual(['1900000109']);
    } finally {
      await client.close();
    }
  });

  it('presents a p12 (pfx) certificate with its passphrase', async () => {
    const seen: string[] = [];
    const url = await mutualTlsServer(ca, seen);
    const p12 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(merchant.keyPem),
      [forge.pki.certificateFromPem(merchant.certPem)],
      '1900000109',
      { algorithm: '3des' },
    );
    const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
    const { client } = makeClient({
      baseUrl: url,
      tls: { pfx, passphrase: '1900000109', ca: ca.certPem },
    });
    try {
      await client.call(
        '/secapi/pay/refund',
        { out_refund_no: 'R1' },
        { cert: true },
      );
      expect(seen).toEqual(['1900000109']);
    } finally {
      await client.close();
    }
  });

  it('is refused by the server without the certificate, as a NetworkError', async () => {
    const url = await mutualTlsServer(ca, []);
    const other = certificate('someone else');
    const { client } = makeClient({
      baseUrl: url,
      tls: { cert: other.certPem, key: other.keyPem, ca: ca.certPem },
    });
    try {
      const error = await client
        .call('/secapi/pay/refund', { out_refund_no: 'R1' }, { cert: true })
        .catch((e) => e);
      expect(error).toBeInstanceOf(NetworkError);
    } finally {
      await client.close();
    }
  });
});
