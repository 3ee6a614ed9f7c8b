// Agents: the capstan agent of each managed system, its certificate and whether its control
// channel is connected now (live).
import type { AgentView } from '../../../../src/api/agents.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { LoadError } from '../../components/LoadError.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';

const COLUMNS: Column<AgentView>[] = [
  { key: 'system', header: 'Managed system', cell: (a) => <Link to={`/systems/${a.systemId}`}>{a.systemName}</Link>, sortValue: (a) => a.systemName },
  { key: 'state', header: 'State', cell: (a) => <StateBadge state={a.state} />, sortValue: (a) => a.state },
  { key: 'connected', header: 'Connection', cell: (a) => <StateBadge state={a.connected ? 'Connected' : 'Disconnected'} />, sortValue: (a) => (a.connected ? 1 : 0) },
  { key: 'expires', header: 'Certificate expires', cell: (a) => formatTime(a.certificateExpiresAt), sortValue: (a) => a.certificateExpiresAt },
  { key: 'serial', header: 'Certificate serial', cell: (a) => <code>{a.certificateSerial}</code> },
  { key: 'port', header: 'Agent port', cell: (a) => String(a.agentPort), sortValue: (a) => a.agentPort },
  { key: 'registered', header: 'Registered', cell: (a) => formatTime(a.registeredAt), sortValue: (a) => a.registeredAt },
];

export default function AgentsView() {
  const list = usePoll(() => call(routes.agents.list), []);
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <p className="hint">Each managed system's agent registers with the registration password and then holds a certificate signed by the manager.</p>
      <LoadError error={list.error} />
      {!list.data && !list.error && <p role="status">Loading…</p>}
      {list.data && <DataTable caption="Agents" rows={list.data} columns={COLUMNS} rowKey={(a) => a.systemId} empty="No agent has registered." />}
    </section>
  );
}
