// What a live move costs: the memory method two systems would use, and the silence an outside
// client sees, weighed in units of a system's load so the scheduler can set it against a gain.
import type { HostProfile } from '../../api/agents.js';
import type { MemoryMethod } from '../../api/relocation.js';

/** The best memory method both hosts support, unless the group switched post-copy off. */
export function memoryMethod(from: HostProfile | null, to: HostProfile | null, postCopyAllowed: boolean): MemoryMethod {
  if (postCopyAllowed && from?.memoryTransfer.postCopy && to?.memoryTransfer.postCopy) return 'postCopy';
  if (from?.memoryTransfer.preCopy && to?.memoryTransfer.preCopy) return 'preCopy';
  return 'stopAndCopy';
}

/**
 * What an outside client sees of a move, in seconds of silence. Measured (docs: DESIGN §3):
 * stop-and-copy froze a WPAR 1.6 s for 256 MiB touched; post-copy about 0.3 s whatever its
 * size; restored sockets then stay silent about 1 s more (ARP, initial RTO). Pre-copy freezes
 * for the pages dirtied in the last round, taken here as a sixth of stop-and-copy's.
 */
const SILENT_SECONDS_PER_GIB: Record<MemoryMethod, number> = { stopAndCopy: 6.4, preCopy: 1.1, postCopy: 0 };
const SILENT_SECONDS_FIXED: Record<MemoryMethod, number> = { stopAndCopy: 1, preCopy: 1, postCopy: 1.3 };
/** A second of silence weighs as much as half a point of a system's load. */
const COST_PER_SILENT_SECOND = 0.005;

/** The cost of moving a WPAR of this memory by this method, in units of load (0..1 of a system). */
export function moveCost(memoryBytes: number, method: MemoryMethod): number {
  const seconds = SILENT_SECONDS_FIXED[method] + SILENT_SECONDS_PER_GIB[method] * (memoryBytes / 2 ** 30);
  return seconds * COST_PER_SILENT_SECOND;
}
