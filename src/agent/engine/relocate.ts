// Live relocation of a WPAR between two engines (two hosts): what both halves share, and the
// contract with the transport that carries a relocation between the agents.
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
// settleRelocation() (see relocate-out.ts). Iterative pre-copy needs soft-dirty tracking
// (see memoryTransfer); this engine does not implement it (these machines cannot do it).
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { CapstanError } from '../../api/errors.js';
import type { MemoryMethod } from '../../api/relocation.js';
import type { NetworkInterface } from '../../api/wpar.js';
import { processAlive, run } from '../exec.js';
import { ip } from '../net/ip.js';
import { hostVethName } from '../net/index.js';
import { findCriu, keepKerndat } from './criu.js';
import { readJsonIfExists } from './json-file.js';
import { CRIU_CONFIG_ANNOTATION } from './oci-config.js';

/** The memory transfer methods this engine implements. */
export type RelocationMethod = Exclude<MemoryMethod, 'preCopy'>;

export type { Departure, DepartureOptions, DepartureOutcome } from './relocate-out.js';
export type { ArrivalOptions, PageReceiver, PageReceiverOptions } from './relocate-in.js';

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

/** The memory transfer methods this engine can use on this host, with why a method is missing. */
export interface MemoryTransfer {
  postCopy: boolean;
  /** Always false: not implemented (see softDirty for whether the kernel would allow it). */
  preCopy: boolean;
  stopAndCopy: boolean;
  /** Whether the kernel tracks dirty pages, which iterative pre-copy needs. */
  softDirty: boolean;
  missing: string[];
}

/** CAP_SYS_RESOURCE lets CRIU lift the pipe limits itself. */
const CAP_SYS_RESOURCE = 24n;
/** The pipe size CRIU's lazy page server asks for (its PIPE_MAX_SIZE pages, rounded up to a power of two). */
const LAZY_PIPE_BYTES = 4 * 1024 * 1024;

/** Whether CRIU may keep all the memory it serves in pipes; what is missing otherwise. */
async function pipeLimits(): Promise<string[]> {
  const eff = /^CapEff:\s*([0-9a-f]+)/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '0';
  if (((BigInt(`0x${eff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n) return [];
  const sysctl = async (name: string): Promise<number> => Number((await readFile(`/proc/sys/fs/${name}`, 'utf8').catch(() => '')).trim() || NaN);
  const [soft, max] = await Promise.all([sysctl('pipe-user-pages-soft'), sysctl('pipe-max-size')]);
  return [
    ...(soft === 0 ? [] : ['post-copy: fs.pipe-user-pages-soft is not 0 (run scripts/install-criu.sh)']),
    ...(max >= LAZY_PIPE_BYTES ? [] : [`post-copy: fs.pipe-max-size is below ${LAZY_PIPE_BYTES} (run scripts/install-criu.sh)`]),
  ];
}

/**
 * Asks the kernel through CRIU what this host supports. Stop-and-copy needs CRIU alone.
 * Post-copy needs non-cooperative userfaultfd (what runc's lazy-pages feature check asks),
 * and pipes without a page limit and of 4 MiB: the departure keeps all the memory it still
 * has to serve in pipes (fs.pipe-user-pages-soft=0 and fs.pipe-max-size, set by
 * scripts/install-criu.sh, unless CRIU may lift the limits itself). Pre-copy would need
 * soft-dirty page tracking.
 */
export async function memoryTransfer(): Promise<MemoryTransfer> {
  let criu: string;
  try {
    criu = (await findCriu()).path;
  } catch (e) {
    return { postCopy: false, preCopy: false, stopAndCopy: false, softDirty: false, missing: [e instanceof Error ? e.message : String(e)] };
  }
  const feature = async (name: string): Promise<boolean> => (await run(criu, ['check', '--feature', name], { timeoutMs: 10_000 })).code === 0;
  const [uffd, pipes, dirty] = await Promise.all([feature('uffd-noncoop'), pipeLimits(), feature('mem_dirty_track')]);
  const missing = [
    ...(uffd ? [] : ['post-copy: the kernel lacks non-cooperative userfaultfd']),
    ...pipes,
    `pre-copy: not implemented by this engine${dirty ? '' : ', and the kernel does not track dirty pages (soft-dirty)'}`,
  ];
  return { postCopy: uffd && pipes.length === 0, preCopy: false, stopAndCopy: true, softDirty: dirty, missing };
}

let supported: Promise<MemoryTransfer> | undefined;

/** Refuses a method this engine or host cannot do (the host asked once per process). */
export async function checkMethod(method: MemoryMethod): Promise<RelocationMethod> {
  if (method === 'preCopy') throw new CapstanError('CAP-E1013', 'iterative pre-copy is not implemented by this engine: use postCopy or stopAndCopy');
  if (method !== 'postCopy' && method !== 'stopAndCopy') throw new CapstanError('CAP-E0001', `unknown memory transfer method ${JSON.stringify(method)}`);
  supported ??= memoryTransfer();
  const m = await supported;
  if (!m[method]) throw new CapstanError('CAP-E1013', `${method} is not possible on this host: ${m.missing.join('; ')}`);
  // Made once per process; checked again in case a reboot or another CRIU build dropped it.
  await keepKerndat((await findCriu()).path);
  return method;
}

/**
 * Takes the WPAR's interfaces off their host bridges and down, so that its address answers
 * only from the arrival from now on, and nothing reaches the processes here: a packet the
 * kernel accepted here for an open connection would be lost to the copy that carries on.
 */
export async function detachInterfaces(nsName: string, ifaces: NetworkInterface[]): Promise<void> {
  await Promise.all(ifaces.map((_, i) => ip(['link', 'set', 'dev', hostVethName(nsName, i), 'down', 'nomaster'])));
}

/**
 * Puts the interfaces of a namespace made detached (createWparNetns) on their bridges: after
 * a restore, whose connections must see no packet before their sockets exist (in a new
 * namespace CRIU finds no lock on them, and the kernel would answer with a reset).
 */
export async function attachInterfaces(nsName: string, ifaces: NetworkInterface[], defaultBridge: string): Promise<void> {
  await Promise.all(ifaces.map((iface, i) => ip(['link', 'set', 'dev', hostVethName(nsName, i), 'master', iface.bridge ?? defaultBridge, 'up'])));
}

/**
 * Writes CRIU's configuration for a relocation's dump or restore. runc hands it to CRIU
 * (the container's CRIU_CONFIG_ANNOTATION), which applies it over runc's own options; for a
 * container started without the annotation, CRIU reads it from $CRIU_CONFIG_FILE at start,
 * before runc's options, which then win.
 *
 * CRIU's network lock is skipped: the departure takes the WPAR's interfaces off the bridge
 * before the dump, the arrival puts them on after the restore, so no packet reaches the
 * sockets meanwhile; locking (iptables in the WPAR's namespace) would only add to the frozen
 * time. A post-copy dump's page server listens at `lazy.at`: runc passes CRIU only the port.
 * Where runc applies the file last (`overRunc`), the lazy dump is asked for here rather than
 * with runc's --lazy-pages, which first starts another CRIU just to check for the feature,
 * while the WPAR is frozen (some 25 ms here).
 */
export async function writeCriuConfig(file: string, lazy?: { at: PageEndpoint; overRunc: boolean }): Promise<void> {
  const lines = ['network-lock skip', ...(lazy ? [`address ${lazy.at.host}`, ...(lazy.overRunc ? ['lazy-pages', `port ${lazy.at.port}`] : [])] : [])];
  await writeFile(file, `${lines.join('\n')}\n`);
}

/** Whether the container runs with `file` as its CRIU configuration (it started with the annotation). */
export async function criuConfigByRunc(configJson: string, file: string): Promise<boolean> {
  const config = await readJsonIfExists<{ annotations?: Record<string, string> }>(configJson).catch(() => undefined);
  return config?.annotations?.[CRIU_CONFIG_ANNOTATION] === file;
}

/**
 * Starts `bash -c script name args…` in a session of its own that outlives the agent; the
 * script reports through files. Resolves with its pid (= its process group).
 */
export function spawnDetached(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): number {
  const child = spawn('bash', ['-c', script, name, ...args], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  child.unref();
  if (!child.pid) throw new CapstanError('CAP-E1008', `could not start ${name}`);
  return child.pid;
}

/** Whether the detached script `name` started as `pid` still runs (not another process that took its pid). */
export async function detachedAlive(pid: number, name: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(name);
}

/** Kills a detached script and everything it started (its process group). */
export function killDetached(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The exit status a detached script wrote to `file`, undefined while it has not. */
export async function exitStatusIn(file: string): Promise<number | undefined> {
  const s = await readJsonIfExists<number>(file).catch(() => undefined);
  return typeof s === 'number' ? s : undefined;
}
