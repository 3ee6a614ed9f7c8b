// The seed's effective utilisation of a WPAR's resource: what it uses of what is left to it once
// everything else on the system has taken its share, WPAR use / (1 − (system use − WPAR use)),
// all as fractions of the system. A WPAR at 20% of a system whose other processes take 80%
// is at 100%: it has nothing more to grow into. Shared by whoever measures and whoever decides.

export function effectiveUtilisation(wparUse: number, systemUse: number): number {
  const free = 1 - Math.max(0, systemUse - wparUse);
  if (free <= 0) return wparUse > 0 ? 1 : 0;
  return Math.min(1, wparUse / free);
}
