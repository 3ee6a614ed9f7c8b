// One WPAR: its properties and state (live), its actions, its metrics, its recent tasks.
import { lazy, Suspense } from 'react';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link, navigate } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { LoadError } from '../../components/LoadError.js';
import { Properties, PropertyList } from '../../components/PropertyList.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { TaskTable } from '../tasks/TaskTable.js';
import { ActionBar } from './ActionBar.js';

const MetricsPanel = lazy(() => import('../../components/MetricsPanel.js'));

export default function WparDetail({ params }: { params: Record<string, string> }) {
  const session = useSession();
  const id = params.id!;
  const wpar = usePoll(() => call(routes.wpars.get, { params: { id } }), [id]);
  const w = wpar.data;
  const tasks = usePoll(() => (w ? call(routes.tasks.list, { query: { targetKind: 'wpar', targetId: w.id, limit: 20 } }) : Promise.resolve({ items: [] })), [w?.id]);

  if (!w) return <><h1>WPAR {id}</h1><LoadError error={wpar.error} />{!wpar.error && <p role="status">Loading…</p>}</>;
  return (
    <section aria-labelledby="wpar-title">
      <p><Link to="/wpars">Workload partitions</Link> › {w.name}</p>
      <h1 id="wpar-title">WPAR {w.name} <StateBadge state={w.state} /></h1>
      <LoadError error={wpar.error} />
      <ActionBar wpars={[w]} label={`Actions on ${w.name}`} />
      <div className="toolbar">
        <button type="button" disabled={!session.can('wpar.manage')} onClick={() => navigate(`/wpars/new?from=${w.id}`)}>Create from this WPAR</button>
      </div>
      <h2>Properties</h2>
      <Properties items={[
        ['Type', w.type],
        ['State', w.state],
        ['Why', w.stateReason],
        ['Managed system', w.system ? <Link to={`/systems/${w.system.id}`}>{w.system.name}</Link> : 'not deployed'],
        ['Group', w.group.name],
        ['Host name', w.hostname],
        ['Base image', w.image],
        ['Command', w.command?.join(' ')],
        ['Exit status', w.exitStatus === null ? null : String(w.exitStatus)],
        ['Relocatable (checkpointable)', w.checkpointable ? 'yes' : 'no'],
        ['Busy with task', w.busyTaskId ? <Link to={`/tasks/${w.busyTaskId}`}>{w.busyTaskId}</Link> : null],
        ['Created', formatTime(w.createdAt)],
        ['Updated', formatTime(w.updatedAt)],
      ]} />
      <h2>Network</h2>
      <PropertyList value={w.interfaces} />
      <h2>Resource controls</h2>
      <PropertyList value={w.resources} />
      <h2>File systems</h2>
      <PropertyList value={w.mounts} />
      <h2>Privileges</h2>
      <PropertyList value={w.privileges ?? 'the host default'} />
      <h2>Performance</h2>
      <Suspense fallback={<p role="status">Loading charts…</p>}>
        <MetricsPanel kind="wpars" id={w.id} name={w.name} />
      </Suspense>
      <h2>Recent tasks</h2>
      <TaskTable tasks={tasks.data?.items ?? []} caption={`Tasks of ${w.name}`} />
    </section>
  );
}
