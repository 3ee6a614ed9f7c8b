// The HTTPS client of the manager API, used by the CLI and by agents (registration). A
// self-signed manager is trusted by the fingerprint of the certificate pinned at login or
// registration, not by turning verification off.
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
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

/**
 * The certificate a server presents, whether the system's CAs trust it for that host, and
 * the local address this host reached it from.
 */
export async function peerCertificate(url: string): Promise<{ pem: string; trusted: boolean; localAddress: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 443), servername: u.hostname.match(/^[\d.]+$|:/) ? undefined : u.hostname, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      const localAddress = socket.localAddress ?? '';
      socket.end();
      if (!cert?.raw) return reject(new UnreachableError(`${url} presented no certificate`));
      const trusted = socket.authorized && checkServerIdentity(u.hostname, cert) === undefined;
      resolve({ pem: pemOf(cert.raw), trusted, localAddress });
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
            checkServerIdentity: (host: string, cert: PeerCertificate) =>
              cert.fingerprint256 === pinnedFingerprint ? undefined : checkServerIdentity(host, cert),
          }
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
          ? ` (the manager's certificate is not trusted: run \`capstan login ${this.profile.url}\` to check and pin it)`
          : '';
        reject(new UnreachableError(`cannot reach the manager at ${this.profile.url}: ${e.message}${hint}`));
      });
      req.end(payload);
    });
  }

  /** `prefix`: what `path` is below (the API's, unless asked for a path outside it such as /metrics). */
  async request<T>(method: Method, path: string, body?: unknown, headers?: Record<string, string>, prefix = API_PREFIX): Promise<ApiResponse<T>> {
    const res = await this.open(method, path, body, headers, prefix);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      const e = (parsed ?? {}) as { code?: string; message?: string; details?: unknown };
      throw new ApiError(status, e.code ?? `HTTP ${status}`, e.message ?? (typeof parsed === 'string' ? parsed : `HTTP ${status}`), e.details);
    }
    return { status, headers: res.headers, body: parsed as T };
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
