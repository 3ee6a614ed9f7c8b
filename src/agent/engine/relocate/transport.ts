// Live relocation of a WPAR between two engines (two hosts): the contract with the transport
// that carries a relocation between the agents. The departure half is departure.ts, the
// arrival half arrival.ts; what both use lives in modules of its own that import neither.
//
// The transport is not the engine's: the engine only reads and writes a state directory on
// each side and talks to one TCP endpoint per side for CRIU's page traffic, which the
// transport joins (over mTLS) to the other side's endpoint. Who listens depends on the method:
//
//   post-copy (lazy pages over userfaultfd; the WPAR runs on the arrival at once)
//     1. departure  relocateOut({ method: 'postCopy', dir, pageServer })   frozen from here
//                   -> imagesReady: dump done, images + layer + manifest in dir, network
//                      detached; CRIU listens at pageServer to serve the memory
//     2. transport  copies dir to the arrival's dir; joins the arrival's pageSource to the
//                   departure's pageServer
//     3. arrival    relocateIn({ method: 'postCopy', dir, pageSource })    runs from here
//                   (its lazy-pages daemon connects to pageSource during the restore)
//     4. departure  commit(): the arrival runs; its copy here stays frozen meanwhile
//     5. arrival    pagesArrived resolves: all memory came (rejects: it stopped coming, the
//                   arrival copy was stopped as Broken)
//     6. departure  delivered() -> finished 'moved': the copy here is gone
//
//   stop-and-copy (all memory moves while the WPAR is frozen)
//     0. arrival    receivePages({ dir, listen }): a CRIU page server listens at `listen`
//     1. departure  relocateOut({ method: 'stopAndCopy', dir, pageServer }) frozen from here
//                   CRIU connects to pageServer (the transport's end of the tunnel to `listen`)
//                   and streams every page; -> imagesReady: dump done, network detached
//     2. transport  copies dir to the arrival's dir (the pages are there already); waits for
//                   receivePages' `received`
//     3. arrival    relocateIn({ method: 'stopAndCopy', dir })               runs from here
//     4. departure  commit() -> finished 'moved': the copy here is gone
//
// Until the copy here is gone it is kept frozen and whole, and abort() brings it back to
// running there (network reattached, processes resumed): always while the arrival copy never
// ran (relocateIn failed or was not called; open TCP connections carry on intact), and for
// post-copy also between commit() and delivered() when the arrival lost its memory source
// (then what it did on the arrival is lost). A relocation whose agent died is settled by
// settleRelocation() (see departure.ts). Iterative pre-copy needs soft-dirty tracking
// (see memoryTransfer); this engine does not implement it (these machines cannot do it).
import { isIPv4 } from 'node:net';
import { CapstanError } from '../../../api/errors.js';

/** A TCP endpoint on this host for CRIU's page traffic (the transport's end of the tunnel). */
export interface PageEndpoint {
  host: string;
  port: number;
}

export function validateEndpoint(e: PageEndpoint, what: string): void {
  if (!isIPv4(e?.host) || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
    throw new CapstanError('CAP-E0001', `${what} must be an IPv4 address and a port 1-65535 (got ${JSON.stringify(e)})`);
  }
}
