// The benchmark's workload and how its frozen time is read back. The workload holds N MiB of
// touched memory (random text: real memory does not shrink under gzip as `yes` output would,
// and Podman's export is gzipped) and appends the machine's uptime (/proc/uptime, 10 ms
// steps: read by a shell builtin, as busybox's date has no sub-second format and adjtimex
// needs CAP_SYS_TIME under the engine's seccomp profile) to /ticks in its own root file
// system every ~2 ms. Wherever it runs on this machine, the file ends up in the layer that
// moves with it, so the arrival copy holds every tick: the longest pause between two ticks
// is the time from the last instruction on departure to the first on arrival, measured by
// the workload itself.
import { readFile } from 'node:fs/promises';

const MIB = 1024 * 1024;

/** The workload, after `first` (shell lines that start services in the background). */
export function workload(mib: number, first: string[] = []): string[] {
  const script = [
    ...first,
    // The memory lives in a child shell, so the ticking shell forks cheaply.
    `(x=$(busybox head -c ${(mib * MIB * 3) / 4} /dev/urandom | busybox base64); : > /touched; while :; do sleep 1; done) &`,
    'while :; do read u _ < /proc/uptime; echo $u >> /ticks; usleep 2000; done',
  ].join('\n');
  return ['/bin/sh', '-c', script];
}

/** Epoch ms of the machine's boot, to place the workload's uptime ticks on the wall clock. */
export async function bootEpochMs(): Promise<number> {
  const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
  return Date.now() - uptime * 1000;
}

/** The longest pause between consecutive ticks that ends within [from, to] (epoch ms), in ms. */
export function frozenMs(ticks: string, from: number, to: number, bootMs: number): number {
  const times = ticks
    .split('\n')
    .map((l) => /^(\d+\.\d+)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => bootMs + Number(m[1]) * 1000);
  let longest = Number.NaN;
  for (let i = 1; i < times.length; i++) {
    const [before, after] = [times[i - 1] as number, times[i] as number];
    if (after < from || after > to) continue;
    if (Number.isNaN(longest) || after - before > longest) longest = after - before;
  }
  return longest;
}
