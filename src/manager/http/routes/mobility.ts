// Mobility, read-only: compatibility of a system with every other, the whole matrix, and the
// relocation targets of a WPAR (automatic and manual selection).
import { CompatibilityMatrix, CompatibilityQuery, SystemCompatibilityView } from '../../../api/compatibility.js';
import { TargetsView } from '../../../api/placement.js';
import { RefParams } from '../../../api/resources.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';

const tags = ['mobility'];

export async function mobilityRoutes(app: App, services: Services): Promise<void> {
  const { views, targets } = services.mobility;

  app.get('/systems/:id/compatibility', {
    config: { permission: 'view' },
    schema: {
      summary: 'Compatibility of a system with every other, both directions, per test; `tests` adds optional tests to the critical ones',
      tags, params: RefParams, querystring: CompatibilityQuery, response: { 200: SystemCompatibilityView },
    },
  }, async (req) => views.forSystem(req.params.id, req.query.tests));

  app.get('/compatibility', {
    config: { permission: 'view' },
    schema: {
      summary: 'The compatibility state of every pair of systems, with the failing tests each way',
      tags, querystring: CompatibilityQuery, response: { 200: CompatibilityMatrix },
    },
  }, async (req) => views.matrix(req.query.tests));

  app.get('/wpars/:id/targets', {
    config: { permission: 'view' },
    schema: {
      summary: 'Where a WPAR may be relocated: ranked automatic candidates, and every other system with its compatibility state',
      tags, params: RefParams, response: { 200: TargetsView },
    },
  }, async (req) => targets.targets(req.params.id));
}
