// WebSocket upgrades on the manager's HTTPS server (Node hands them past Fastify): each goes
// to the one handler of its path (the agents' control channel, consoles), and any other, or
// one its handler refuses, is answered with the API's JSON error.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CapstanError, isCapstanError } from '../../api/errors.js';

export interface UpgradeHandler {
  handles(pathname: string): boolean;
  /** Takes the socket, or throws a CapstanError before it did (the refusal is answered here). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

export function routeUpgrades(server: Server, handlers: UpgradeHandler[]): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const handler = handlers.find((h) => h.handles(path));
    if (!handler) return refuseUpgrade(socket, new CapstanError('CAP-E0006'));
    handler.upgrade(req, socket, head).catch((e: unknown) => refuseUpgrade(socket, e));
  });
}

/** Answers an upgrade with the error, as the API answers a request, and closes. */
export function refuseUpgrade(socket: Duplex, e: unknown): void {
  if (socket.destroyed) return;
  const err = isCapstanError(e) ? e : new CapstanError('CAP-E0005', e instanceof Error ? e.message : String(e));
  const body = JSON.stringify({ code: err.code, message: err.message });
  socket.end(`HTTP/1.1 ${err.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
