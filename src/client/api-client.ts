// The HTTPS client of the manager API, used by the CLI and by agents (registration). A
// self-signed manager is trusted by the fingerprint of the certificate pinned at login or
// registration; a manager with a certificate from a private CA, by that CA (given at login
// with --ca); never by turning verification off.
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { checkServerIdentity, connect, type PeerCertificate as TlsPeerCertificate } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import { API_PREFIX } from '../api/paths.js';
import { routePath, type CallArgs, type CallInput, type ResultOf, type RouteDefinition } from '../api/route-definition.js';

/** Where the manager is and how this client is known to it. */
export interface Endpoint {
  url: string;
  /** An API token (Bearer). */
  token?: string;
  /** PEM of the manager's certificate, trusted by fingerprint (self-signed managers). */
  certificate?: string;
  /** A client certificate and its key (PEM): an agent calling as itself. */
  identity?: { key: string; cert: string };
  /** Give up on a request after this long (default: never). */
  timeoutMs?: number;
  /** PEM of the CAs the manager's certificate must chain to (instead of the system's), for the host in `url`. */
  ca?: string;
}

/** The manager answered with an error body (its stable code and message). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

/** The manager could not be reached or could not be trusted. */
export class UnreachableError extends Error {}

export interface ApiResponse<T> {
  status: number;
  headers: IncomingMessage['headers'];
  body: T;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function pemOf(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** OpenSSL's verification codes (what a TLS socket reports) as OpenSSL words them, code kept. */
const VERIFICATION_TEXT: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_CA: 'invalid CA certificate',
};
const verificationText = (code: string): string => (VERIFICATION_TEXT[code] ? `${VERIFICATION_TEXT[code]} (${code})` : code);

/** The PEM certificates in a text (a CA bundle), each as its own PEM. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}

export interface PeerCertificate {
  pem: string;
  /** Whether the CAs (the system's, or `ca`) vouch for it and it names the host. */
  trusted: boolean;
  /** Why not, when it is not trusted. */
  reason?: string;
  /** Who issued it, as its certificate says. */
  issuer: string;
  localAddress: string;
}

/**
 * The certificate a server presents, whether the system's CAs (or `ca`, instead of them) trust
 * it for that host, and the local address this host reached it from.
 */
export async function peerCertificate(url: string, ca?: string): Promise<PeerCertificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: u.hostname, port: Number(u.port || 443), servername: u.hostname.match(/^[\d.]+$|:/) ? undefined : u.hostname, rejectUnauthorized: false,
      ...(ca ? { ca } : {}),
    }, () => {
      const cert = socket.getPeerCertificate();
      const localAddress = socket.localAddress ?? '';
      const authorizationError = socket.authorizationError;
      socket.end();
      if (!cert?.raw) return reject(new UnreachableError(`${url} presented no certificate`));
      const identity = checkServerIdentity(u.hostname.replace(/^\[|\]$/g, ''), cert);
      const trusted = socket.authorized && identity === undefined;
      const reason = !socket.authorized ? verificationText(String(authorizationError ?? 'not trusted')) : identity?.message;
      resolve({ pem: pemOf(cert.raw), trusted, ...(trusted ? {} : { reason }), issuer: new X509Certificate(cert.raw).issuer.replace(/\n/g, ', '), localAddress });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.on('error', (e) => reject(new UnreachableError(`cannot reach ${url}: ${e.message}`)));
  });
}

export class ApiClient<P extends Endpoint = Endpoint> {
  constructor(readonly profile: P) {}

  private options(method: Method, path: string, headers: Record<string, string>, prefix: string): RequestOptions & { url: URL } {
    const url = new URL(prefix + path, this.profile.url);
    const pinned = this.profile.certificate;
    const pinnedFingerprint = pinned ? fingerprintOf(pinned) : undefined;
    const ca = this.profile.ca;
    return {
      url,
      method,
      headers: {
        accept: 'application/json',
        ...(this.profile.token ? { authorization: `Bearer ${this.profile.token}` } : {}),
        ...headers,
      },
      ...(this.profile.identity ? { key: this.profile.identity.key, cert: this.profile.identity.cert } : {}),
      ...(pinned
        ? {
            ca: pinned,
            // The pinned certificate is the identity: it need not name the host used to reach it.
            checkServerIdentity: (host: string, cert: TlsPeerCertificate) =>
              cert.fingerprint256 === pinnedFingerprint ? undefined : checkServerIdentity(host, cert),
          }
        : ca
          // Verified as any server is, against these CAs instead of the system's, for the URL's host.
          ? { ca }
          : {}),
    };
  }

  /** A WebSocket to `path` (under the API prefix), authenticated and trusted as every call is. */
  webSocket(path: string, query?: Query): WebSocket {
    const { url, headers, ca, checkServerIdentity: check } = this.options('GET', path + queryString(query), {}, API_PREFIX);
    url.protocol = 'wss:';
    return new WebSocket(url, { headers: headers as Record<string, string>, ...(ca ? { ca } : {}), ...(check ? { checkServerIdentity: check } : {}) } as ClientOptions);
  }

  private open(method: Method, path: string, body: unknown, headers: Record<string, string> = {}, prefix = API_PREFIX): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { url, ...opts } = this.options(method, path, payload === undefined ? headers : { 'content-type': 'application/json', ...headers }, prefix);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, opts, resolve);
      const timeout = this.profile.timeoutMs;
      if (timeout !== undefined) req.setTimeout(timeout, () => req.destroy(new Error(`no answer in ${timeout} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const hint = /certificate|self.signed|CERT_|UNABLE_TO_VERIFY/i.test(`${e.code} ${e.message}`)
          ? ` (the manager's certificate is not trusted: run \`capstan login ${this.profile.url}\` to check and pin it, or to trust its CA with --ca FILE)`
          : '';
        reject(new UnreachableError(`cannot reach the manager at ${this.profile.url}: ${e.message}${hint}`));
      });
      req.end(payload);
    });
  }

  /** `prefix`: what `path` is below (the API's, unless asked for a path outside it such as /metrics). */
  async request<T>(method: Method, path: string, body?: unknown, headers?: Record<string, string>, prefix = API_PREFIX): Promise<ApiResponse<T>> {
    const res = await this.open(method, path, body, headers, prefix);
    const text = await readText(res);
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const status = res.statusCode ?? 0;
    if (status >= 400) throw apiErrorOf(status, parsed);
    return { status, headers: res.headers, body: parsed as T };
  }

  /** Calls a route that answers with text, not JSON (a CSV export): the text as it came. */
  async text<R extends RouteDefinition>(route: R, ...[input]: CallArgs<R>): Promise<string> {
    const { params, query } = (input ?? {}) as { params?: object; query?: Query };
    const accept = route.schema.produces?.join(', ') ?? '*/*';
    const res = await this.open(route.method, routePath(route, params) + queryString(query), undefined, { accept }, route.outsidePrefix ? '' : API_PREFIX);
    const text = await readText(res);
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not the manager's error body: its text is the message.
      }
      throw apiErrorOf(status, parsed);
    }
    return text;
  }

  /** Calls one route of the API's route table; its parameters, query, body and answer are typed by the table. */
  async call<R extends RouteDefinition>(route: R, ...[input]: CallArgs<R>): Promise<ResultOf<R>> {
    return (await this.exchange(route, (input ?? {}) as CallInput<R>)).body;
  }

  /** A call with request headers of its own, answering the whole response (e.g. a login's session cookie). */
  async exchange<R extends RouteDefinition>(route: R, input: CallInput<R>, headers?: Record<string, string>): Promise<ApiResponse<ResultOf<R>>> {
    const { params, query, body } = input as { params?: object; query?: Query; body?: unknown };
    return this.request<ResultOf<R>>(route.method, routePath(route, params) + queryString(query), body, headers, route.outsidePrefix ? '' : API_PREFIX);
  }

  /** Reads a Server-Sent Events stream until it ends; `onEvent` sees each event's type and JSON data. */
  async events<R extends RouteDefinition>(route: R, input: CallInput<R>, onEvent: (type: string, data: unknown) => void): Promise<void> {
    const res = await this.open(route.method, routePath(route, (input as { params?: object }).params), undefined, { accept: 'text/event-stream' });
    if ((res.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { code?: string; message?: string };
      throw new ApiError(res.statusCode ?? 0, e.code ?? `HTTP ${res.statusCode}`, e.message ?? `HTTP ${res.statusCode}`);
    }
    res.setEncoding('utf8');
    let buffer = '';
    for await (const chunk of res) {
      buffer += chunk as string;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
      }
    }
  }
}

export type Query = Record<string, string | number | boolean | undefined | readonly string[]>;

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function apiErrorOf(status: number, parsed: unknown): ApiError {
  const e = (parsed ?? {}) as { code?: string; message?: string; details?: unknown };
  return new ApiError(status, e.code ?? `HTTP ${status}`, e.message ?? (typeof parsed === 'string' ? parsed : `HTTP ${status}`), e.details);
}

export function queryString(query?: Query): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
