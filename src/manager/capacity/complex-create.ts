// A new complex: its row, its systems with the rights it ships with spread over them as
// intended active components, and its Instant Access Capacity. Inside the caller's transaction.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { CreateComplexRequest } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import type { Moment } from './changes.js';
import { creditLocked } from './ledger.js';
import { hostCores } from './profile.js';
import { distribute } from './rules.js';
import { DEFAULT_WARNING_PERIOD_SECONDS } from './settings.js';
import { loadComplex } from './store.js';

export async function insertComplex(trx: Kysely<Database>, id: string, req: CreateComplexRequest, systems: { id: string; name: string }[], t: Moment): Promise<void> {
  const taken = await trx.selectFrom('capacity_complexes').select(['name', 'serial'])
    .where((eb) => eb.or([eb('name', '=', req.name), eb('serial', '=', req.serial)])).executeTakeFirst();
  if (taken) throw new CapstanError('CAP-E0003', taken.name === req.name ? `complex ${req.name}` : `a complex with serial ${req.serial}`);
  for (const s of systems) {
    const member = await trx.selectFrom('capacity_systems').select('complex_id').where('system_id', '=', s.id).executeTakeFirst();
    if (member) throw new CapstanError('CAP-E0810', s.name);
  }
  // The serial's codewords applied before, to a complex since removed, are never applied again.
  const history = await trx.selectFrom('capacity_codeword_history').select((eb) => eb.fn.max('sequence').as('last'))
    .where('serial', '=', req.serial).executeTakeFirst();
  await trx.insertInto('capacity_complexes').values({
    id,
    name: req.name,
    serial: req.serial,
    total_cores: req.totalCores ?? null,
    total_memory_gib: req.totalMemoryGiB ?? null,
    total_cells: req.totalCells ?? null,
    rights_cores: req.rights.cores,
    rights_memory_gib: req.rights.memoryGiB ?? null,
    rights_cells: req.rights.cells ?? null,
    temp_balance: 0,
    metered_until: t.sec,
    warning_period_s: req.warningPeriodSeconds ?? DEFAULT_WARNING_PERIOD_SECONDS,
    exhaustion_action: req.exhaustionAction ?? 'deactivate',
    temp_warned: 0,
    temp_exhausted: 0,
    last_sequence: Number(history?.last ?? 0),
    contacts: JSON.stringify(req.contacts ?? []),
    webhooks: JSON.stringify(req.webhooks ?? []),
    created_at: t.iso,
    updated_at: t.iso,
  }).execute();
  // The rights start active, spread over the systems (within each host's cores where known).
  const profiles = await trx.selectFrom('systems').select(['id', 'profile']).where('id', 'in', systems.map((s) => s.id)).execute();
  const caps = systems.map((s) => hostCores(parse(profiles.find((p) => p.id === s.id)?.profile ?? null)));
  const cores = distribute(req.rights.cores, caps);
  const memory = req.rights.memoryGiB === undefined ? null : distribute(req.rights.memoryGiB, systems.map(() => null));
  const cells = req.rights.cells === undefined ? null : distribute(req.rights.cells, systems.map(() => null));
  for (const [i, s] of systems.entries()) {
    await trx.insertInto('capacity_systems').values({
      system_id: s.id,
      complex_id: id,
      ia_cores: cores[i] ?? 0,
      ia_memory_gib: memory ? memory[i] ?? 0 : null,
      ia_cells: cells ? cells[i] ?? 0 : null,
      aa_cores: null,
      aa_memory_gib: null,
      aa_cells: null,
      aa_reported_at: null,
    }).execute();
  }
  if (req.instantAccessSeconds) {
    await creditLocked(trx, await loadComplex(trx, id), { kind: 'instant-access', amount: req.instantAccessSeconds }, t.iso);
  }
}

function parse(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}
