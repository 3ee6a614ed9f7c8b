// CRIU's page traffic between the two hosts of a relocation goes through the agents' mutual
// TLS, not over the wire in the clear: on one side CRIU talks to a local forwarder, which
// opens a tunnel to the other agent, which connects it to CRIU's local port there.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { RelocationPeer } from '../../api/relocation.js';
import type { AgentIdentity } from '../control/config.js';
import { openTunnel, peerSystemId } from './peer.js';

export const tunnelPath = (relocationId: string): string => `/relocations/${relocationId}/tunnel`;

/** Local CRIU ports other agents may be connected to, by relocation, and which peer may. */
export class TunnelTargets {
  private readonly targets = new Map<string, { port: number; peerSystemId: string }>();

  register(relocationId: string, port: number, peerSystemId: string): void {
    this.targets.set(relocationId, { port, peerSystemId });
  }

  unregister(relocationId: string): void {
    this.targets.delete(relocationId);
  }

  /** Takes an upgrade on the agent's port; false when the path is not a tunnel's. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean {
    const m = /^\/relocations\/([0-9a-f-]{36})\/tunnel$/.exec(req.url ?? '');
    if (!m) return false;
    const target = this.targets.get(m[1] as string);
    const peer = peerSystemId((req.socket as TLSSocket).getPeerCertificate());
    if (!target || peer !== target.peerSystemId) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"code":"CAP-E0921","message":"no such relocation for this peer"}');
      return true;
    }
    socket.on('error', () => undefined);
    const local = connect({ host: '127.0.0.1', port: target.port }, () => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: capstan-tunnel\r\n\r\n');
      splice(socket, local);
    });
    local.on('error', () => socket.destroy());
    return true;
  }
}

/** A local port whose connections are carried to the peer's registered CRIU port. */
export async function forwarder(identity: AgentIdentity, peer: RelocationPeer, relocationId: string): Promise<{ port: number; close: () => void }> {
  const open = (): Promise<Duplex> => openTunnel(identity, peer, tunnelPath(relocationId));
  // One tunnel is opened ahead for CRIU's first connection, which comes while the WPAR is
  // frozen: its TLS handshake is then out of the way. Should it fail (opened too early), a
  // new one is opened then.
  let spare: Promise<Duplex> | undefined = open();
  spare.catch(() => undefined);
  const server = createServer((local: Socket) => {
    local.on('error', () => undefined);
    local.pause();
    const taken = spare?.catch(open) ?? open();
    spare = undefined;
    taken.then(
      (remote) => {
        splice(local, remote);
        local.resume();
      },
      () => local.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.close();
      void spare?.then((s) => s.destroy(), () => undefined);
    },
  };
}

/** Both ways: an end is passed on once what came before it is written; an error cuts both. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const cut = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on('error', cut);
  b.on('error', cut);
}
