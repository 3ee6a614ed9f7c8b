// The benchmark's workload and how its frozen time is read back. The workload holds N MiB of
// touched memory (random text: real memory does not shrink under gzip as `yes` output would,
// and Podman's export is gzipped) and appends the wall clock (s µs, from adjtimex: busybox's date has no
// sub-second format) to /ticks in its own root file system every ~2 ms. Wherever it runs,
// the file ends up in the layer that moves with it, so the arrival copy holds every tick:
// the longest pause between two ticks is the time from the last instruction on departure
// to the first on arrival, measured by the workload itself.

const MIB = 1024 * 1024;

export function workload(mib: number): string[] {
  const script = [
    // The memory lives in a child shell, so the ticking shell forks cheaply.
    `(x=$(busybox head -c ${(mib * MIB * 3) / 4} /dev/urandom | busybox base64); : > /touched; while :; do sleep 1; done) &`,
    'tick() { while [ $# -gt 1 ]; do case $1 in time.tv_sec:) s=$2;; time.tv_usec:) u=$2;; esac; shift; done; echo "$s $u" >> /ticks; }',
    'while :; do tick $(adjtimex); usleep 2000; done',
  ].join('\n');
  return ['/bin/sh', '-c', script];
}

/** The longest pause between consecutive ticks that ends within [from, to] (epoch ms), in ms. */
export function frozenMs(ticks: string, from: number, to: number): number {
  const times = ticks
    .split('\n')
    .map((l) => /^(\d+) (\d+)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]) * 1000 + Number(m[2]) / 1000);
  let longest = Number.NaN;
  for (let i = 1; i < times.length; i++) {
    const [before, after] = [times[i - 1] as number, times[i] as number];
    if (after < from || after > to) continue;
    if (Number.isNaN(longest) || after - before > longest) longest = after - before;
  }
  return longest;
}
