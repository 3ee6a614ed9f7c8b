// After a WPAR's address comes up on another host (relocation, restart elsewhere), the
// segment's neighbours may still map it to an old MAC and switches to an old port: a
// gratuitous ARP for each address updates every neighbour that knows the address.
import { CapstanError } from '../../api/errors.js';
import { run } from '../exec.js';
import { listAddresses } from './ip.js';
import { validateNetnsName } from './names.js';

// busybox's arping (busybox-static is a host requirement anyway) returns as soon as its
// unsolicited ARP is out; iputils' arping always waits a second per packet, so it is only
// the fallback. The announcement is on a restore's critical path.
async function arpingCommand(): Promise<string[]> {
  if ((await run('busybox', ['arping', '--help'])).code !== 127) return ['busybox', 'arping'];
  if ((await run('arping', ['-V'])).code === 0) return ['arping'];
  throw new CapstanError('CAP-E1013', 'no arping: install busybox-static or iputils-arping');
}

let arping: Promise<string[]> | undefined;

/**
 * Sends gratuitous ARPs (arping -U) from inside the namespace for each IPv4 address of
 * its interfaces that are up. `count` above 1 repeats them a second apart.
 */
export async function announce(nsName: string, opts: { count?: number } = {}): Promise<void> {
  validateNetnsName(nsName);
  const count = opts.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new CapstanError('CAP-E0001', `count ${count} is not 1-10`);
  const links = await listAddresses(nsName);
  const targets = links.flatMap((l) =>
    l.ifname === 'lo' || !l.flags?.includes('UP')
      ? []
      : (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ifname: l.ifname, address: a.local })),
  );
  if (targets.length === 0) return;
  arping ??= arpingCommand().catch((e: unknown) => {
    arping = undefined;
    throw e;
  });
  const cmd = await arping;
  const results = await Promise.all(
    targets.map(async (t) => ({
      ...t,
      r: await run('ip', ['netns', 'exec', nsName, ...cmd, '-U', '-c', String(count), '-I', t.ifname, t.address]),
    })),
  );
  // With -U no reply is expected, and a missing one is not a failure; an error message is.
  const failed = results.filter((x) => x.r.code !== 0 && x.r.stderr.trim() !== '');
  if (failed.length > 0) {
    throw new Error(`gratuitous ARP failed: ${failed.map((x) => `${x.address} on ${x.ifname}: ${x.r.stderr.trim()}`).join('; ')}`);
  }
}
