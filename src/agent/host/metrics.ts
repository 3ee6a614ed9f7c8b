// Samples the host and its WPARs: CPU, memory, processes, network and disk rates, and each
// WPAR's effective CPU utilisation as the seed defines it. Rates are taken between two
// samples, so the first call only primes the counters.
import { readdir, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { MetricSample } from '../../api/agents.js';
import type { MetricValues } from '../../api/metrics.js';
import { effectiveUtilisation } from '../../api/utilisation.js';
import type { Engine } from '../engine/index.js';
import { Slice } from './cgroups.js';

interface Counters {
  t: number;
  /** CPU time, seconds. */
  cpu: number;
  netRx: number;
  netTx: number;
  diskRead: number;
  diskWrite: number;
}

interface Gauges {
  memoryBytes: number;
  processes: number;
}

export class MetricsSampler {
  private readonly previous = new Map<string, Counters>();
  private readonly cores = cpus().length;
  private readonly memory = totalmem();

  /**
   * A scoped engine (a lab host: one slice of a shared machine) reports its slice's CPU and
   * memory as the host's, not the whole machine's, which other hosts and programs share.
   */
  private slice?: Promise<Slice>;

  constructor(private readonly engine: Engine) {}

  /** A sample of now, or undefined on the first call. */
  async sample(): Promise<MetricSample | undefined> {
    const now = Date.now();
    const host = await hostCounters(now);
    if (this.engine.layout.scope) {
      this.slice ??= Slice.of(this.engine.layout.cgroupParent);
      const own = await (await this.slice).usage();
      host.counters.cpu = own.cpuSeconds;
      host.gauges.memoryBytes = own.memoryBytes;
    }
    const hostValues = this.rate('host', host.counters, host.gauges);
    const wpars: Record<string, MetricValues> = {};
    const running = (await this.engine.list()).filter((w) => w.pid !== undefined && ['Active', 'Paused', 'Frozen'].includes(w.state));
    const seen = new Set(['host']);
    for (const w of running) {
      const c = await wparCounters(this.engine, w.name, w.pid!, now).catch(() => undefined);
      if (!c) continue;
      seen.add(w.name);
      const v = this.rate(w.name, c.counters, c.gauges);
      if (v) wpars[w.name] = v;
    }
    for (const key of this.previous.keys()) if (!seen.has(key)) this.previous.delete(key);
    if (!hostValues) return undefined;
    for (const v of Object.values(wpars)) v.effectiveCpuUtil = effectiveUtilisation(v.cpuUtil, hostValues.cpuUtil);
    return { t: now, host: hostValues, wpars };
  }

  private rate(key: string, c: Counters, g: Gauges): MetricValues | undefined {
    const p = this.previous.get(key);
    this.previous.set(key, c);
    if (!p || c.t <= p.t) return undefined;
    const secs = (c.t - p.t) / 1000;
    const per = (a: number, b: number): number => Math.max(0, (a - b) / secs);
    const cpuCores = per(c.cpu, p.cpu);
    return {
      cpuCores,
      cpuUtil: cpuCores / this.cores,
      memoryBytes: g.memoryBytes,
      memoryUtil: g.memoryBytes / this.memory,
      processes: g.processes,
      netRxBytesPerSec: per(c.netRx, p.netRx),
      netTxBytesPerSec: per(c.netTx, p.netTx),
      diskReadBytesPerSec: per(c.diskRead, p.diskRead),
      diskWriteBytesPerSec: per(c.diskWrite, p.diskWrite),
      effectiveCpuUtil: null,
    };
  }
}

const USER_HZ = 100;

async function hostCounters(t: number): Promise<{ counters: Counters; gauges: Gauges }> {
  const [stat, meminfo, net, disks, procs] = await Promise.all([
    readFile('/proc/stat', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
    readFile('/proc/net/dev', 'utf8'),
    readFile('/proc/diskstats', 'utf8'),
    readdir('/proc'),
  ]);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const f = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const busyTicks = f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  const { rx, tx } = netBytes(net, (dev) => dev !== 'lo' && !dev.startsWith('cv'));
  let read = 0;
  let written = 0;
  for (const line of disks.split('\n')) {
    const p = line.trim().split(/\s+/);
    // Whole disks only: partitions and device-mapper volumes would count the same bytes twice.
    if (!p[2] || !/^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/.test(p[2])) continue;
    read += Number(p[5]) * 512;
    written += Number(p[9]) * 512;
  }
  return {
    counters: { t, cpu: busyTicks / USER_HZ, netRx: rx, netTx: tx, diskRead: read, diskWrite: written },
    gauges: { memoryBytes: kb('MemTotal') - kb('MemAvailable'), processes: procs.filter((n) => /^\d+$/.test(n)).length },
  };
}

async function wparCounters(engine: Engine, name: string, pid: number, t: number): Promise<{ counters: Counters; gauges: Gauges }> {
  const [s, net] = await Promise.all([engine.stats(name), readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => '')]);
  const { rx, tx } = netBytes(net, (dev) => dev !== 'lo');
  return {
    counters: { t, cpu: s.cpuUsageNs / 1e9, netRx: rx, netTx: tx, diskRead: s.diskReadBytes, diskWrite: s.diskWriteBytes },
    gauges: { memoryBytes: s.memoryUsageBytes, processes: s.processes },
  };
}

/** Sums /proc/net/dev's received and sent bytes over the interfaces `include` accepts. */
function netBytes(text: string, include: (dev: string) => boolean): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const [dev, rest] = line.split(':');
    if (!dev || rest === undefined || !include(dev.trim())) continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}
