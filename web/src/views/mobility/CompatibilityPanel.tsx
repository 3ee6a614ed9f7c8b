// A system's relocation compatibility with every other system: the state of each pair read
// from this system (departure) towards the other (arrival), the applied tests failing each
// way, when the pair was tested, and on expand every test both ways with its reason. The
// optional tests (memory, NTP, CPU speed) can be applied to see the states a WPAR group that
// adds them would get. Until this system's own testing is done it is not offered for
// relocation, and the panel says so.
import { useState } from 'react';
import { COMPATIBILITY_TESTS, OPTIONAL_TESTS, TEST_DESCRIPTIONS, type DirectionView, type OptionalTest, type PairView } from '../../../../src/api/compatibility.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { CheckboxGroup } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatTime } from '../../lib/format.js';
import { usePoll } from '../../lib/usePoll.js';
import { CompatibilityBadge } from './badges.js';
import { stateMeaning, TEST_LABELS, testList, testRole } from './compatibility-text.js';

const SLOW_MS = 15_000;

const failing = (d: DirectionView | null) => (d ? testList(d.failing) : '—');

export function CompatibilityPanel({ system }: { system: { id: string; name: string } }) {
  const [tests, setTests] = useState<OptionalTest[]>([]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const view = usePoll(
    () => call(routes.systems.compatibility, { params: { id: system.id }, query: { tests } }),
    [system.id, tests.join()],
    SLOW_MS,
  );
  const v = view.data;
  const name = system.name;
  const detailId = (p: PairView) => `pair-tests-${p.other.id}`;
  const toggle = (id: string) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setExpanded(next);
  };

  const columns: Column<PairView>[] = [
    { key: 'system', header: 'System', cell: (p) => <Link to={`/systems/${p.other.id}`}>{p.other.name}</Link>, sortValue: (p) => p.other.name },
    { key: 'state', header: 'State', cell: (p) => <CompatibilityBadge state={p.state} />, sortValue: (p) => p.state },
    { key: 'out', header: `Failing, ${name} → system`, cell: (p) => failing(p.outbound) },
    { key: 'in', header: `Failing, system → ${name}`, cell: (p) => failing(p.inbound) },
    { key: 'tested', header: 'Tested', cell: (p) => formatTime(p.testedAt), sortValue: (p) => p.testedAt ?? '' },
    {
      key: 'details',
      header: 'Tests',
      cell: (p) => (
        <button
          type="button"
          className="disclosure"
          aria-expanded={expanded.has(p.other.id)}
          aria-controls={expanded.has(p.other.id) ? detailId(p) : undefined}
          onClick={() => toggle(p.other.id)}
        >
          {`Tests with ${p.other.name}`}
        </button>
      ),
    },
  ];

  return (
    <div className="compatibility">
      <CheckboxGroup
        legend="Optional tests to apply"
        hint="On top of the critical tests, as a WPAR group's relocation policy may add them."
        choices={OPTIONAL_TESTS.map((t) => ({ value: t, label: `${TEST_LABELS[t]}: ${TEST_DESCRIPTIONS[t]}` }))}
        selected={tests}
        onChange={(next) => setTests(OPTIONAL_TESTS.filter((t) => next.includes(t)))}
      />
      <LoadError error={view.error} />
      {!v && !view.error && <p role="status">Loading…</p>}
      {v && (
        <>
          {v.testing.done
            ? <p>Tested against every other system with a host profile: {formatTime(v.testing.testedAt)}.</p>
            : <p className="notice">Compatibility testing of {name} is not done: not offered for relocation yet.</p>}
          <DataTable
            caption={`Compatibility of ${name} with every other system`}
            rows={v.pairs}
            columns={columns}
            rowKey={(p) => p.other.id}
            empty="There is no other system."
            detail={(p) => (expanded.has(p.other.id) ? <PairTests id={detailId(p)} system={name} pair={p} applied={v.optionalTests} /> : null)}
          />
        </>
      )}
    </div>
  );
}

/** Every test, both ways, with its reason; which of them count with the tests applied. */
function PairTests({ id, system, pair, applied }: { id: string; system: string; pair: PairView; applied: readonly OptionalTest[] }) {
  const other = pair.other.name;
  if (!pair.outbound || !pair.inbound) {
    return <p id={id}>{stateMeaning('testing', system, other)}</p>;
  }
  const out = pair.outbound;
  const back = pair.inbound;
  const cell = (d: DirectionView, test: string) => {
    const r = d.tests.find((t) => t.test === test);
    if (!r) return <span className="muted">not run</span>;
    return <><StateBadge state={r.passed ? 'Passed' : 'Failed'} /> {r.reason}</>;
  };
  return (
    <div id={id} role="group" aria-label={`Tests between ${system} and ${other}`}>
      <p>{stateMeaning(pair.state, system, other)}</p>
      <DataTable
        caption={`Every test between ${system} and ${other}, both ways`}
        rows={COMPATIBILITY_TESTS}
        rowKey={(t) => t}
        empty="No test."
        columns={[
          { key: 'test', header: 'Test', cell: (t) => <><strong>{TEST_LABELS[t]}</strong><div className="hint">{TEST_DESCRIPTIONS[t]}</div></> },
          { key: 'counts', header: 'Counts', cell: (t) => testRole(t, applied) },
          { key: 'out', header: `${system} → ${other}`, cell: (t) => cell(out, t) },
          { key: 'in', header: `${other} → ${system}`, cell: (t) => cell(back, t) },
        ]}
      />
    </div>
  );
}
