// One managed system: properties, its host profile (as its agent reported it), its relocation
// compatibility with every other system, the WPARs deployed on it, and its performance
// metrics. Administrators ask its agent to Discover its WPARs or update its profile (each a
// task, followed in the task tray), evacuate it (every WPAR off it, then no placement on it)
// and restore it.
import { lazy, Suspense, useState } from 'react';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { FormError } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { Properties } from '../../components/PropertyList.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { PlacementBlockedBadge } from '../mobility/badges.js';
import { CompatibilityPanel } from '../mobility/CompatibilityPanel.js';
import { EvacuateDialog } from '../mobility/EvacuateDialog.js';
import { restore } from '../mobility/evacuation.js';
import { AGENT_ACTION_LABELS, askAgents, type AgentAction } from './agent-actions.js';
import { HostProfileView } from './HostProfileView.js';

const MetricsPanel = lazy(() => import('../../components/MetricsPanel.js'));

export default function SystemDetail({ params }: { params: Record<string, string> }) {
  const session = useSession();
  const mayManage = session.can('system.manage');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const [evacuating, setEvacuating] = useState(false);
  const id = params.id!;
  const system = usePoll(() => call(routes.systems.get, { params: { id } }), [id]);
  const wpars = usePoll(() => call(routes.wpars.list, { query: { system: id, limit: 1000 } }), [id]);
  const s = system.data;
  const ask = async (action: AgentAction) => {
    if (!s) return;
    setBusy(true);
    setRefusal(await askAgents(action, [s]).finally(() => setBusy(false)));
  };
  const lift = async () => {
    if (!s) return;
    setBusy(true);
    setRefusal(await restore(s).finally(() => setBusy(false)));
    system.reload();
  };
  if (!s) return <><h1>Managed system</h1><LoadError error={system.error} />{!system.error && <p role="status">Loading…</p>}</>;

  return (
    <section aria-labelledby="system-title">
      <p><Link to="/systems">Managed systems</Link> › {s.name}</p>
      <h1 id="system-title">Managed system {s.name} <StateBadge state={s.state} />{s.placementBlocked && <> <PlacementBlockedBadge /></>}</h1>
      <LoadError error={system.error} />
      <div role="toolbar" aria-label={`Actions on ${s.name}`} className="toolbar">
        {(Object.keys(AGENT_ACTION_LABELS) as AgentAction[]).map((a) => (
          <button key={a} type="button" disabled={!mayManage || busy} onClick={() => void ask(a)}>{AGENT_ACTION_LABELS[a]}</button>
        ))}
        <button type="button" disabled={!mayManage || busy} onClick={() => setEvacuating(true)}>Evacuate</button>
        <button type="button" disabled={!mayManage || busy || !s.placementBlocked} title={s.placementBlocked ? undefined : 'not evacuated: placement may choose it'} onClick={() => void lift()}>Restore</button>
      </div>
      <FormError message={refusal} />
      <h2>Properties</h2>
      <Properties items={[
        ['Host', s.host],
        ['State', s.state],
        ['Relocation domain', s.domain.name],
        ['System profile', s.systemProfile ?? 'none yet: given when its agent reports'],
        ['WPARs deployed', String(s.wparCount)],
        ['Compatibility tested', s.compatibilityTestedAt ? formatTime(s.compatibilityTestedAt) : 'not yet: not offered for relocation until it is'],
        ['Placement', s.placementBlocked ? 'blocked: it was evacuated, and nothing is relocated onto it until it is restored' : 'open'],
        ['Last seen', formatTime(s.lastSeenAt)],
        ['Added', formatTime(s.createdAt)],
        ['Updated', formatTime(s.updatedAt)],
      ]} />
      <h2>Profile</h2>
      {s.profile === null || s.profile === undefined
        ? <p className="empty-state">No profile yet: the system's agent reports it when it connects.</p>
        : <HostProfileView profile={s.profile} name={s.name} />}
      <h2>Relocation compatibility</h2>
      <CompatibilityPanel system={s} />
      <h2>Workload partitions on {s.name}</h2>
      {(wpars.data?.items ?? []).length === 0 ? <p>None.</p> : (
        <ul>{wpars.data!.items.map((w) => <li key={w.id}><Link to={`/wpars/${w.id}`}>{w.name}</Link> <StateBadge state={w.state} /></li>)}</ul>
      )}
      <h2>Performance</h2>
      <Suspense fallback={<p role="status">Loading charts…</p>}>
        <MetricsPanel kind="systems" id={s.id} name={s.name} />
      </Suspense>
      {evacuating && <EvacuateDialog system={s} wpars={wpars.data?.items ?? null} onClose={() => setEvacuating(false)} />}
    </section>
  );
}
