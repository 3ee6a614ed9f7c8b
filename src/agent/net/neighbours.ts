// A WPAR's IPv4 neighbour table across a relocation. The arrival's namespace is new and its
// table empty. CRIU takes the restored TCP sockets out of repair mode (a window probe) and
// lets the processes run a moment before it freezes them again, all while the link is still
// off its bridge (no packet may reach a socket before it exists). What they send then waits
// in the kernel's queue of an INCOMPLETE neighbour entry, whose first solicitation went
// nowhere: left alone, it goes out with the next one, 1 s later. So once the link is on its
// bridge, the entries the departure carried over take their address at once (the kernel then
// sends what waited), and any other entry still waiting is asked (ARP request) at once.
// Not before the restore: a known address sends into the detached link, and a segment lost
// there costs the restored socket, which has no round-trip estimate yet, a 1 s timer.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { CapstanError } from '../../api/errors.js';
import { run, runOk } from '../exec.js';
import { ipArgs } from './ip.js';
import { MAX_INTERFACES, validateNetnsName } from './names.js';

export const Neighbour = Type.Object(
  {
    address: Type.String({ format: 'ipv4' }),
    mac: Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' }),
    /** The WPAR's interface it was seen on: eth<iface>. */
    iface: Type.Integer({ minimum: 0, maximum: MAX_INTERFACES - 1 }),
  },
  { additionalProperties: false },
);
export type Neighbour = Static<typeof Neighbour>;

/** Most entries carried over: a WPAR talks to few peers, and the batch is on the frozen path. */
export const MAX_NEIGHBOURS = 256;

export const Neighbours = Type.Array(Neighbour, { maxItems: MAX_NEIGHBOURS });

/** One entry of `ip -json neigh show`. */
export interface IpNeigh {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** States whose link-layer address is known; INCOMPLETE and FAILED have none, NOARP needs none. */
const KNOWN = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT']);
const PENDING = new Set(['INCOMPLETE', 'FAILED']);

function ifaceOf(dev: string | undefined): number | undefined {
  const m = /^eth(\d+)$/.exec(dev ?? '');
  return m ? Number(m[1]) : undefined;
}

const isIpv4 = (a: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(a);

/** The IPv4 entries of the WPAR's interfaces whose address is known, at most MAX_NEIGHBOURS. */
export function knownNeighbours(entries: IpNeigh[]): Neighbour[] {
  const out: Neighbour[] = [];
  for (const e of entries) {
    const iface = ifaceOf(e.dev);
    if (iface === undefined || !isIpv4(e.dst) || !e.lladdr || !e.state?.some((s) => KNOWN.has(s))) continue;
    const n = { address: e.dst, mac: e.lladdr.toLowerCase(), iface };
    if (Value.Check(Neighbour, n)) out.push(n);
  }
  return out.slice(0, MAX_NEIGHBOURS);
}

/** The IPv4 entries of the WPAR's interfaces still waiting for an address. */
export function pendingNeighbours(entries: IpNeigh[]): { address: string; dev: string }[] {
  return entries.flatMap((e) => (ifaceOf(e.dev) !== undefined && isIpv4(e.dst) && e.state?.some((s) => PENDING.has(s)) ? [{ address: e.dst, dev: e.dev as string }] : []));
}

/** Checks entries that came from elsewhere (a departure host's manifest): CAP-E1016 when any is not one. */
export function checkNeighbours(value: unknown, interfaces: number): Neighbour[] {
  if (!Value.Check(Neighbours, value)) throw new CapstanError('CAP-E1016', 'not a list of {address, mac, iface}');
  const bad = value.find((n) => n.iface >= interfaces);
  if (bad) throw new CapstanError('CAP-E1016', `${bad.address} is on eth${bad.iface}, which the WPAR does not have`);
  return value;
}

/** `ip -batch` lines that give the entries their address as STALE: used at once, confirmed by the kernel later. */
export function seedBatch(neighbours: Neighbour[]): string {
  return neighbours.map((n) => `neigh replace ${n.address} lladdr ${n.mac} dev eth${n.iface} nud stale\n`).join('');
}

async function neighTable(nsName: string): Promise<IpNeigh[]> {
  const r = await runOk('ip', ipArgs(nsName, ['-json', '-4', 'neigh', 'show']));
  return JSON.parse(r.stdout || '[]') as IpNeigh[];
}

/** What the departure carries: the namespace's known IPv4 neighbours. */
export async function readNeighbours(nsName: string): Promise<Neighbour[]> {
  validateNetnsName(nsName);
  return knownNeighbours(await neighTable(nsName));
}

/** Puts the (checked) entries into the namespace: what waited for them is sent. */
async function seedNeighbours(nsName: string, neighbours: Neighbour[]): Promise<void> {
  if (neighbours.length === 0) return;
  await runOk('ip', ipArgs(nsName, ['-batch', '-']), { input: seedBatch(neighbours) });
}

/** How long one ARP request may wait for its reply: on one segment a reply takes well under that. */
const ASK_MS = 500;

/**
 * Once the link is on its bridge: the carried (checked) entries take their address, and
 * every entry still unresolved is asked (busybox arping from inside the namespace), so what
 * waits for them goes out now rather than at the kernel's next retransmit. A neighbour that
 * does not answer is left to the kernel.
 */
export async function settleNeighbours(nsName: string, carried: Neighbour[]): Promise<void> {
  validateNetnsName(nsName);
  await seedNeighbours(nsName, carried);
  const pending = pendingNeighbours(await neighTable(nsName));
  await Promise.all(pending.map((p) => run('ip', ['netns', 'exec', nsName, 'busybox', 'arping', '-c', '1', '-w', '1', '-I', p.dev, p.address], { timeoutMs: ASK_MS })));
}
