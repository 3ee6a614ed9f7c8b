// The Prometheus text exposition of the newest metrics: one gauge family per measure, for
// systems and WPARs, plus systems' connectivity and WPAR counts by state.
import type { Kysely } from 'kysely';
import type { MetricValues } from '../../api/metrics.js';
import type { Database } from '../db/schema.js';
import type { MetricsStore } from './store.js';

const GAUGES: { key: keyof MetricValues; name: string; help: string }[] = [
  { key: 'cpuCores', name: 'cpu_cores', help: 'CPU in use, in cores' },
  { key: 'cpuUtil', name: 'cpu_utilisation', help: 'CPU in use as a fraction of the host' },
  { key: 'memoryBytes', name: 'memory_bytes', help: 'Memory in use, bytes' },
  { key: 'memoryUtil', name: 'memory_utilisation', help: 'Memory in use as a fraction of the host' },
  { key: 'processes', name: 'processes', help: 'Processes' },
  { key: 'netRxBytesPerSec', name: 'network_receive_bytes_per_second', help: 'Bytes received per second' },
  { key: 'netTxBytesPerSec', name: 'network_transmit_bytes_per_second', help: 'Bytes sent per second' },
  { key: 'diskReadBytesPerSec', name: 'disk_read_bytes_per_second', help: 'Bytes read per second' },
  { key: 'diskWriteBytesPerSec', name: 'disk_write_bytes_per_second', help: 'Bytes written per second' },
  { key: 'effectiveCpuUtil', name: 'effective_cpu_utilisation', help: 'WPAR use / (1 - (system use - WPAR use))' },
];

export async function prometheusText(db: Kysely<Database>, store: MetricsStore): Promise<string> {
  const systems = new Map((await db.selectFrom('systems').select(['id', 'name', 'state']).execute()).map((s) => [s.id, s]));
  const wpars = new Map((await db.selectFrom('wpars').select(['id', 'name']).where('system_id', 'is not', null).execute()).map((w) => [w.id, w.name]));
  const lines: string[] = [];
  lines.push('# HELP capstan_system_online Whether the system\'s agent is connected (1) or not (0)', '# TYPE capstan_system_online gauge');
  for (const s of systems.values()) lines.push(`capstan_system_online{system="${esc(s.name)}"} ${s.state === 'Online' ? 1 : 0}`);
  const byState = await db.selectFrom('wpars').select((eb) => ['state', eb.fn.countAll().as('n')]).groupBy('state').execute();
  lines.push('# HELP capstan_wpars WPARs by state', '# TYPE capstan_wpars gauge');
  for (const r of byState) lines.push(`capstan_wpars{state="${esc(r.state)}"} ${Number(r.n)}`);

  for (const kind of ['system', 'wpar'] as const) {
    for (const g of GAUGES) {
      if (kind === 'system' && g.key === 'effectiveCpuUtil') continue;
      const metric = `capstan_${kind}_${g.name}`;
      lines.push(`# HELP ${metric} ${g.help}`, `# TYPE ${metric} gauge`);
      for (const l of store.latest.values()) {
        if (l.kind !== kind) continue;
        const system = systems.get(l.systemId)?.name;
        const wpar = kind === 'wpar' ? wpars.get(l.id) : undefined;
        const value = l.values[g.key];
        if (system === undefined || (kind === 'wpar' && wpar === undefined) || value === null) continue;
        const labels = kind === 'wpar' ? `wpar="${esc(wpar!)}",system="${esc(system)}"` : `system="${esc(system)}"`;
        lines.push(`${metric}{${labels}} ${value} ${l.t}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
