// Metrics of systems and WPARs by time range, and the Prometheus export (outside the API
// prefix, at /metrics, where scrapers look; it needs a token with the view permission).
import { MetricSeries, MetricsQuery } from '../../../api/metrics.js';
import { RefParams } from '../../../api/resources.js';
import { prometheusText } from '../../metrics/prometheus.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';

const HOUR_MS = 3600_000;

export async function metricRoutes(app: App, services: Services): Promise<void> {
  const { metrics } = services.agents;
  const range = (q: MetricsQuery): [number, number] => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    return [q.from ? Date.parse(q.from) : to - HOUR_MS, to];
  };

  const subjects = {
    system: { summary: "A system's metrics over a time range (raw within a day, 5-minute means before)", get: (ref: string) => services.inventory.systems.get(ref) },
    wpar: { summary: "A WPAR's metrics over a time range, with its effective CPU utilisation", get: (ref: string) => services.inventory.wpars.get(ref) },
  } as const;
  for (const [kind, subject] of Object.entries(subjects) as [keyof typeof subjects, (typeof subjects)[keyof typeof subjects]][]) {
    app.get(`/${kind}s/:id/metrics`, {
      config: { permission: 'view' },
      schema: { summary: subject.summary, tags: ['metrics'], params: RefParams, querystring: MetricsQuery, response: { 200: MetricSeries } },
    }, async (req) => {
      const { id, name } = await subject.get(req.params.id);
      const [from, to] = range(req.query);
      return { subject: { kind, id, name }, ...(await metrics.query(kind, id, from, to)) };
    });
  }
}

export async function prometheusRoute(app: App, services: Services): Promise<void> {
  app.get('/metrics', { config: { permission: 'view' }, schema: { hide: true } }, async (_req, reply) => {
    const text = await prometheusText(services.db, services.agents.metrics);
    return reply.type('text/plain; version=0.0.4').send(text);
  });
}
