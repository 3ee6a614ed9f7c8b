// The memory transfer methods of a live relocation: which this engine implements, and which
// this host's kernel and CRIU allow.
import { readFile } from 'node:fs/promises';
import { CapstanError } from '../../../api/errors.js';
import type { MemoryMethod } from '../../../api/relocation.js';
import { run } from '../../exec.js';
import { findCriu, keepKerndat } from '../criu.js';

/** The memory transfer methods this engine implements. */
export type RelocationMethod = Exclude<MemoryMethod, 'preCopy'>;

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
