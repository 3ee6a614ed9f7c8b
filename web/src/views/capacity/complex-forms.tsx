// The changes to a complex made through plain forms: modify its name, installed totals and
// temporary capacity handling; move active cores between two of its systems.
import { ModifyComplexRequest, MoveRequest, type ComponentCounts } from '../../../../src/api/capacity.js';
import { durationText } from '../../../../src/api/duration.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { ResourceForm } from '../../components/ResourceForm.js';
import { parseCount, parseDuration } from './capacity-format.js';
import { DURATION_HINT, EXHAUSTION_CHOICES, report, type Props } from './dialogs.js';

const installed = (c: ComponentCounts | null) => (c === null || c.total === null ? '' : String(c.total));
/** An installed total: a count, or empty for "from the host profiles" (null). */
const totalOf = (t: string) => (t.trim() === '' ? null : parseCount(t));

/** Changes a complex's name, installed totals and temporary capacity handling (only what changed is sent). */
export function ModifyComplexDialog({ complex, onDone, onClose }: Props) {
  return (
    <ResourceForm
      title={`Modify ${complex.name}`}
      schema={ModifyComplexRequest}
      fields={[
        { key: 'name', label: 'Name' },
        { key: 'totalCores', label: 'Installed cores', hint: "Empty: the sum of the systems' host profiles.", numeric: true, parse: totalOf },
        { key: 'totalMemoryGiB', label: 'Installed memory (GiB)', hint: "Empty: the sum of the systems' host profiles.", numeric: true, parse: totalOf },
        { key: 'totalCells', label: 'Installed cells', hint: 'Empty: unknown.', numeric: true, parse: totalOf },
        { key: 'warningPeriodSeconds', label: 'Warning period', hint: `How long before temporary capacity runs out the contacts are warned. ${DURATION_HINT}`, parse: parseDuration },
        { key: 'exhaustionAction', label: 'When temporary capacity runs out', options: EXHAUSTION_CHOICES },
      ]}
      initial={{
        name: complex.name,
        totalCores: installed(complex.cores),
        totalMemoryGiB: installed(complex.memoryGiB),
        totalCells: installed(complex.cells),
        warningPeriodSeconds: durationText(complex.temporary.warningPeriodSeconds),
        exhaustionAction: complex.temporary.exhaustionAction,
      }}
      changesOnly
      submitLabel="Save"
      onSubmit={async (body) => {
        const v = await call(routes.capacity.modify, { params: { id: complex.id }, body: checkedBody(routes.capacity.modify, body) });
        report(onDone, `Complex ${v.name} saved.`);
      }}
      onClose={onClose}
    />
  );
}

/** Moves intended active cores from one system of the complex to another (two or more systems). */
export function MoveCoresDialog({ complex, onDone, onClose }: Props) {
  const options = complex.systems.map((s) => ({ value: s.id, label: s.name }));
  const nameOf = (id: unknown) => complex.systems.find((s) => s.id === id)?.name ?? String(id);
  return (
    <ResourceForm
      title={`Move active cores in ${complex.name}`}
      schema={MoveRequest}
      fields={[
        { key: 'from', label: 'From system', options },
        { key: 'to', label: 'To system', options },
        {
          key: 'cores',
          label: 'Cores to move',
          hint: `Intended active now: ${complex.systems.map((s) => `${s.name} ${s.intended.cores}`).join(', ')}.`,
          numeric: true,
          parse: parseCount,
        },
      ]}
      initial={{ from: complex.systems[0]?.id ?? '', to: complex.systems[1]?.id ?? '', cores: '' }}
      submitLabel="Move"
      onSubmit={async (body) => {
        await call(routes.capacity.move, { body: checkedBody(routes.capacity.move, body) });
        const n = Number(body.cores);
        report(onDone, `Moved ${n} ${n === 1 ? 'core' : 'cores'} from ${nameOf(body.from)} to ${nameOf(body.to)}: pending until their agents report it applied.`);
      }}
      onClose={onClose}
    />
  );
}
