// A group's balancing: its mode, the last round of the policy engine (the group's state against
// its thresholds, each WPAR's state and trigger counts, what the round did) and its mobility
// events, with Apply and Dismiss on open recommendations for those who may.
import { useState } from 'react';
import type { BalanceEventView } from '../../../../src/api/balance.js';
import type { GroupView } from '../../../../src/api/groups.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { LoadError } from '../../components/LoadError.js';
import { Properties } from '../../components/PropertyList.js';
import { announceChange } from '../../lib/changes.js';
import { usePoll } from '../../lib/usePoll.js';

const pct = (n: number): string => `${n.toFixed(1)}%`;

type Act = (e: BalanceEventView, verb: 'apply' | 'dismiss') => () => void;

function Events({ events, mayDecide, act }: { events: BalanceEventView[]; mayDecide: boolean; act: Act }) {
  return (
    <table>
      <caption>Mobility events</caption>
      <thead><tr><th>When</th><th>Mode</th><th>Status</th><th>Move</th><th>Group state</th><th>Why</th><th>Actions</th></tr></thead>
      <tbody>
        {events.length === 0 && <tr><td colSpan={7}>No events.</td></tr>}
        {events.map((e) => {
          const p = e.proposal;
          return (
            <tr key={e.id}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.mode}</td>
              <td>{e.status}{e.decidedBy ? ` by ${e.decidedBy}` : ''}</td>
              <td>{p.wpar.name}: {p.from?.name ?? '?'} → {p.to.name}</td>
              <td>{pct(p.before)} → {pct(p.after)} (gain {p.gain.toFixed(1)}, cost {p.cost.toFixed(1)})</td>
              <td>{e.trigger}; {p.reason}</td>
              <td>
                {e.status === 'open' && (
                  <>
                    <button type="button" disabled={!mayDecide} onClick={act(e, 'apply')} aria-label={`Apply: move ${p.wpar.name} to ${p.to.name}`}>Apply</button>
                    <button type="button" disabled={!mayDecide} onClick={act(e, 'dismiss')} aria-label={`Dismiss: move ${p.wpar.name} to ${p.to.name}`}>Dismiss</button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function BalancePanel({ group }: { group: GroupView }) {
  const mayDecide = useSession().can('system.manage');
  const status = usePoll(() => call(routes.balance.status), []);
  const events = usePoll(() => call(routes.balance.events, { query: { group: group.id, limit: 20 } }), [group.id]);
  const g = status.data?.groups.find((x) => x.group.id === group.id);
  const r = g?.lastRound ?? null;
  // A refused apply (the WPAR busy, no room any more) is shown, and the recommendation stays open.
  const [actionError, setActionError] = useState<unknown>();
  const act: Act = (e, verb) => () => {
    setActionError(undefined);
    call(routes.balance[verb], { params: { id: e.id } }).then(announceChange, setActionError);
  };
  return (
    <section aria-label={`Balancing of ${group.name}`}>
      <h2>Balancing of {group.name}</h2>
      <LoadError error={status.error ?? events.error} />
      {g && (
        <Properties items={[
          ['Mode', g.mode],
          ['Group state', r ? `${pct(r.state)} (thresholds ${g.minThreshold}% – ${g.maxThreshold}%)${r.override ? `, set by ${r.override.metric} beyond its ${r.override.bound}imum` : ''}` : 'no round yet'],
          ['Last round', r ? `${new Date(r.at).toLocaleString()}: ${r.outcome}` : '-'],
        ]} />
      )}
      {r && r.wpars.length > 0 && (
        <table>
          <caption>Performance state of its WPARs</caption>
          <thead><tr><th>WPAR</th><th>State</th><th>Hot / cold rounds</th><th>Pinned</th></tr></thead>
          <tbody>
            {r.wpars.map((w) => (
              <tr key={w.wpar.id}><td>{w.wpar.name}</td><td>{pct(w.state)}{w.heat ? ` (${w.heat})` : ''}</td><td>{w.hot} / {w.cold} of {g!.triggerCount}</td><td>{w.pinned ? 'yes' : 'no'}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadError error={actionError} />
      {events.data && <Events events={events.data.items} mayDecide={mayDecide} act={act} />}
    </section>
  );
}
