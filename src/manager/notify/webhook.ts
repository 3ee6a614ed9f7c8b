// Webhooks: the notice as JSON, POSTed; any answer but 2xx is a failed delivery. An https://
// receiver must present a certificate that the system's CAs, or the CAs the manager is told
// to trust (notifications.webhookCa), vouch for and that names its host: never anything less.
// Redirects are not followed (a receiver answers itself).
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface WebhookTrust {
  /** PEM certificates of CAs trusted besides the system's; none: the system's only. */
  ca?: string;
}

/** The CAs of notifications.webhookCa (a PEM file), read once; a file with no certificate is an error at start. */
export function readWebhookCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`notifications.webhookCa: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error(`notifications.webhookCa: ${file} holds no PEM certificate`);
  return pem;
}

/** OpenSSL's verification codes that mean "not vouched for", as a person reads them. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE',
]);

/** Why a delivery failed, in words: the TLS reason named, with what to do about a receiver not trusted. */
export function deliveryError(e: unknown, url: string): Error {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code && UNTRUSTED.has(code)) {
    return new Error(`the receiver's TLS certificate is not trusted (${err.message}; ${code}): `
      + 'the manager trusts the system\'s CAs and those of notifications.webhookCa in manager.json', { cause: e });
  }
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  return new Error(`${host}: ${err?.message ?? String(e)}${code && !err.message?.includes(code) ? ` (${code})` : ''}`, { cause: e });
}

export async function postWebhook(url: string, body: unknown, timeoutMs: number, trust: WebhookTrust = {}): Promise<void> {
  const u = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const headers = { 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'capstan-manager' };
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let statusMessage: string | undefined;
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = u.protocol === 'https:'
        ? httpsRequest(u, { method: 'POST', headers, signal, ...(trust.ca ? { ca: [...rootCertificates, trust.ca] } : {}) }, resolve)
        : httpRequest(u, { method: 'POST', headers, signal }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
    status = res.statusCode ?? 0;
    statusMessage = res.statusMessage;
    // The body is not used; reading it lets the connection be reused or closed.
    for await (const _chunk of res) { /* drained */ }
  } catch (e) {
    if (signal.aborted) throw new Error(`${u.host}: no answer within ${timeoutMs} ms`, { cause: e });
    throw deliveryError(e, url);
  }
  if (status < 200 || status > 299) throw new Error(`HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''}`);
}
