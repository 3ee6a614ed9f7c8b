// Metrics of systems and WPARs by time range, and the Prometheus export (outside the API
// prefix, at /metrics, where scrapers look; it needs a token with the view permission).
import type { MetricsQuery } from '../../../api/metrics.js';
import { routes } from '../../../api/routes/index.js';
import { prometheusText } from '../../metrics/prometheus.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import type { App } from '../types.js';

const HOUR_MS = 3600_000;

export async function metricRoutes(app: App, services: Services): Promise<void> {
  const { metrics } = services.agents;
  const range = (q: MetricsQuery): [number, number] => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    return [q.from ? Date.parse(q.from) : to - HOUR_MS, to];
  };

  const subjects = {
    system: { route: routes.systems.metrics, get: (ref: string) => services.inventory.systems.get(ref) },
    wpar: { route: routes.wpars.metrics, get: (ref: string) => services.inventory.wpars.get(ref) },
  } as const;
  for (const [kind, subject] of Object.entries(subjects) as [keyof typeof subjects, (typeof subjects)[keyof typeof subjects]][]) {
    app.route({
      ...fromTable(subject.route),
      handler: async (req) => {
        const { id, name } = await subject.get(req.params.id);
        const [from, to] = range(req.query);
        return { subject: { kind, id, name }, ...(await metrics.query(kind, id, from, to)) };
      },
    });
  }
}

export async function prometheusRoute(app: App, services: Services): Promise<void> {
  app.route({
    ...fromTable(routes.meta.prometheus),
    handler: async (_req, reply) => {
      const text = await prometheusText(services.db, services.agents.metrics);
      return reply.type('text/plain; version=0.0.4').send(text);
    },
  });
}
