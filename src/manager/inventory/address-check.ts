// Two WPARs with one address on one bridge answer for each other's traffic (and ARP makes
// which one wins a matter of luck): a deploy that would do that is refused.
import { CapstanError } from '../../api/errors.js';
import type { WparSpec } from '../../api/wpar.js';

/** A bridge's name as the host knows it: an interface without one is on the system's default bridge. */
const DEFAULT_BRIDGE = '';

const key = (nic: WparSpec['interfaces'][number]) => `${nic.bridge ?? DEFAULT_BRIDGE}\u0000${nic.address}`;

/**
 * Throws CAP-E0007 when the spec uses an address twice on one bridge, or one that a WPAR
 * already deployed on the system uses on the same bridge.
 */
export function assertAddressesFree(spec: WparSpec, deployed: readonly { name: string; spec: WparSpec }[]): void {
  const mine = new Set<string>();
  for (const nic of spec.interfaces) {
    if (mine.has(key(nic))) throw new CapstanError('CAP-E0007', `${nic.address} is given twice on bridge ${nic.bridge ?? '(default)'}`);
    mine.add(key(nic));
  }
  for (const other of deployed) {
    const clash = other.spec.interfaces.find((nic) => mine.has(key(nic)));
    if (clash) throw new CapstanError('CAP-E0007', `${clash.address} on bridge ${clash.bridge ?? '(default)'} is used by WPAR ${other.name}`);
  }
}
