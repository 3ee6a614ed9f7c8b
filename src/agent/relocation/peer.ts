// Agent-to-agent connections for relocation, on the agents' own ports with mutual TLS: both
// sides present certificates of the manager's CA, and each checks the other is the system
// the manager named (an agent certificate's subject is its system id).
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import type { RelocationPeer } from '../../api/relocation.js';
import { CapstanError, type ErrorCode } from '../../api/errors.js';
import type { AgentIdentity } from '../control/config.js';

/** The subject (system id) a peer's certificate names. */
export function peerSystemId(cert: PeerCertificate | undefined): string | undefined {
  const cn = cert?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

function options(identity: AgentIdentity, peer: RelocationPeer, path: string, extra: RequestOptions = {}): RequestOptions {
  return {
    host: peer.host,
    port: peer.agentPort,
    path,
    key: identity.key,
    cert: identity.cert,
    ca: identity.ca,
    // Peers are reached by address; who they are is their certificate's subject.
    checkServerIdentity: (_host, cert) => (peerSystemId(cert) === peer.systemId ? undefined : new Error(`the peer at ${peer.host}:${peer.agentPort} is not system ${peer.systemId}`)),
    ...extra,
  };
}

/** Opens a byte stream to the peer's registered local port for this relocation (see tunnel.ts). */
export function openTunnel(identity: AgentIdentity, peer: RelocationPeer, path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request(options(identity, peer, path, { headers: { connection: 'Upgrade', upgrade: 'capstan-tunnel' } }));
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('response', (res) => void failure(res).then(reject));
    req.on('error', (e) => reject(new CapstanError('CAP-E0920', `${peer.host}:${peer.agentPort}: ${e.message}`)));
    req.end();
  });
}

/** Sends a stream to the peer and waits for its JSON answer. */
export function sendStream<T>(identity: AgentIdentity, peer: RelocationPeer, path: string, body: Readable): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(options(identity, peer, path, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } }));
    req.on('response', (res) => {
      if (res.statusCode !== 200) return void failure(res).then(reject);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new CapstanError('CAP-E0920', `${peer.host}:${peer.agentPort}: ${e.message}`)));
    body.on('error', (e) => req.destroy(e));
    body.pipe(req);
  });
}

/** The peer's refusal as our error: its code and message travel as JSON. */
async function failure(res: IncomingMessage): Promise<CapstanError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  try {
    const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code: ErrorCode; message: string };
    return Object.assign(new CapstanError(e.code), { message: e.message });
  } catch {
    return new CapstanError('CAP-E0920', `the peer answered ${res.statusCode}`);
  }
}
