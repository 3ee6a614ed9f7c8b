// Relocating one Active WPAR live, in the seed's two ways of choosing where to: automatic,
// among the ranked candidates of its group's relocation domain (the best preselected, each
// with the CPU and memory it would use with the WPAR on it), or manual, among every other
// system with its compatibility state (those not offered shown disabled, with why). A system
// less than fully compatible takes an explicit confirmation that says what its state means;
// the manager asks for one too (CAP-E0925) when the state changed since the list was loaded,
// and the dialog then shows that step with the state as it is now. Once submitted: the task's
// progress, live, and where the WPAR runs when it is done.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { STATE_LABELS, type PairState } from '../../../../src/api/compatibility.js';
import type { OtherTarget, TargetsView } from '../../../../src/api/placement.js';
import { MEMORY_METHODS, type MemoryMethod, type RelocateRequest, type RelocationResult } from '../../../../src/api/relocation.js';
import type { ResourceRef } from '../../../../src/api/resources.js';
import type { TaskView } from '../../../../src/api/tasks.js';
import type { WparView } from '../../../../src/api/wpar.js';
import { routes } from '../../../../src/api/routes/index.js';
import { ApiError, call, describeError } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { DataTable } from '../../components/DataTable.js';
import { Dialog } from '../../components/Dialog.js';
import { Field, FormError } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { TaskProgress } from '../../components/TaskProgress.js';
import { formatBytes, formatPercent } from '../../lib/format.js';
import { track } from '../../lib/tracked-tasks.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { usePoll } from '../../lib/usePoll.js';
import { CompatibilityBadge } from './badges.js';
import { stateMeaning, testList } from './compatibility-text.js';

type Mode = 'automatic' | 'manual';
type Step =
  | { kind: 'choose' }
  | { kind: 'confirm'; target: ResourceRef; state: PairState; asked?: string }
  | { kind: 'running'; task: TaskView; target: ResourceRef };

const METHOD_LABELS: Record<MemoryMethod, string> = {
  postCopy: 'Post-copy: the WPAR resumes on arrival at once, its memory follows',
  preCopy: 'Iterative pre-copy: memory is copied while the WPAR runs',
  stopAndCopy: 'Stop and copy: the WPAR is frozen while all its memory is copied',
};

/** Manual selection lists every other system: the ranked ones are fully compatible and offered. */
function manualRows(t: TargetsView): OtherTarget[] {
  const ranked: OtherTarget[] = t.ranked.map((r) => ({ system: r.system, state: 'fully', offered: true, needsConfirmation: false, notOffered: null, notAutomatic: [] }));
  return [...ranked, ...t.others].sort((a, b) => a.system.name.localeCompare(b.system.name));
}

export function RelocateDialog({ wpar, onClose }: { wpar: WparView; onClose: () => void }) {
  const [targets, setTargets] = useState<TargetsView>();
  const [loadError, setLoadError] = useState<unknown>();
  const [mode, setMode] = useState<Mode>('automatic');
  const [automatic, setAutomatic] = useState<string>();
  const [manual, setManual] = useState<string>();
  const [method, setMethod] = useState<MemoryMethod | ''>('');
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const { errors, setErrors, busy, run } = useFormSubmit();
  const heading = useRef<HTMLHeadingElement>(null);
  const opened = useRef(false);

  // The list is a snapshot to decide on: loaded once (not polled under the user's choice), and
  // again when the manager says it changed (CAP-E0925).
  const load = () => call(routes.wpars.targets, { params: { id: wpar.id } }).then((t) => {
    setTargets(t);
    setLoadError(undefined);
    setAutomatic((chosen) => (chosen && t.ranked.some((r) => r.system.id === chosen) ? chosen : t.ranked[0]?.system.id));
    return t;
  });
  useEffect(() => {
    load().catch(setLoadError);
    // Loaded for the WPAR the dialog was opened on.
  }, [wpar.id]);

  // Each later step starts at its heading, so a screen reader says where the dialog is now.
  useEffect(() => {
    if (!opened.current) {
      opened.current = true;
      return;
    }
    requestAnimationFrame(() => heading.current?.focus());
  }, [step.kind]);

  const send = (target: ResourceRef, confirmed: boolean) => {
    const body: RelocateRequest = { to: target.name, ...(confirmed ? { confirm: true } : {}), ...(method ? { method } : {}) };
    return run(null, {}, async () => {
      const task = await call(routes.wpars.relocate, { params: { id: wpar.id }, body });
      track(task);
      setStep({ kind: 'running', task, target });
    }, (err) => {
      if (err instanceof ApiError && err.code === 'CAP-E0925' && !confirmed) {
        // The state is not what the list said: ask with the state as it is now.
        const asked = describeError(err);
        void load().then(
          (t) => setStep({ kind: 'confirm', target, state: manualRows(t).find((o) => o.system.id === target.id)?.state ?? 'incompatible', asked }),
          () => setStep({ kind: 'confirm', target, state: 'incompatible', asked }),
        );
        return;
      }
      setErrors({ '': describeError(err) });
    });
  };

  const others = targets ? manualRows(targets) : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!targets) return;
    if (mode === 'automatic') {
      const r = targets.ranked.find((x) => x.system.id === automatic);
      if (!r) return setErrors({ '': 'No system is eligible for automatic relocation: choose one manually.' });
      return void send(r.system, false);
    }
    const o = others.find((x) => x.system.id === manual && x.offered);
    if (!o) return setErrors({ '': 'Choose the system to relocate to.' });
    if (o.needsConfirmation) {
      setErrors({});
      return setStep({ kind: 'confirm', target: o.system, state: o.state });
    }
    return void send(o.system, false);
  };

  return (
    <Dialog title={`Relocate ${wpar.name}`} onClose={onClose} wide>
      {step.kind === 'choose' && (
        <form onSubmit={submit} noValidate>
          <h3 ref={heading} tabIndex={-1}>Where to relocate {wpar.name}</h3>
          <LoadError error={loadError} />
          {!targets && !loadError && <p role="status">Loading the systems…</p>}
          {targets && (
            <>
              <p>
                {wpar.name} runs on {targets.departure.name} (group {targets.group.name}, relocation domain {targets.domain.name}); its recent use is
                {' '}{targets.use.cpuCores.toFixed(2)} cores and {formatBytes(targets.use.memoryBytes)}.
                {' '}Tests applied: the critical ones{targets.optionalTests.length > 0 ? ` and ${testList(targets.optionalTests)}` : ''}.
              </p>
              <fieldset>
                <legend>How to choose the arrival system</legend>
                <label className="inline">
                  <input type="radio" name="mode" checked={mode === 'automatic'} onChange={() => { setMode('automatic'); setErrors({}); }} />
                  {' '}Automatic: the best fully compatible system of relocation domain {targets.domain.name}
                </label>
                <label className="inline">
                  <input type="radio" name="mode" checked={mode === 'manual'} onChange={() => { setMode('manual'); setErrors({}); }} />
                  {' '}Manual: any other system, whatever its compatibility
                </label>
              </fieldset>
              {mode === 'automatic' ? (
                targets.ranked.length === 0 ? (
                  <div className="notice">
                    <p>No system is eligible for automatic relocation (fully compatible, online, in relocation domain {targets.domain.name}, with room). Why each other system is not:</p>
                    <ul>{targets.others.map((o) => <li key={o.system.id}>{o.system.name}: {o.notAutomatic.join('; ')}</li>)}</ul>
                  </div>
                ) : (
                  <fieldset>
                    <legend>Automatic candidates, best first</legend>
                    <DataTable
                      caption={`Automatic candidates for ${wpar.name}, best first`}
                      rows={targets.ranked}
                      rowKey={(r) => r.system.id}
                      empty="None."
                      columns={[
                        {
                          key: 'system',
                          header: 'System',
                          cell: (r) => (
                            <RadioChoice name="automatic" checked={automatic === r.system.id} onChange={() => setAutomatic(r.system.id)}>
                              {r.system.name}{r === targets.ranked[0] ? ' (best)' : ''}
                            </RadioChoice>
                          ),
                        },
                        { key: 'profile', header: 'System profile', cell: (r) => r.systemProfile ?? '—' },
                        { key: 'cpu', header: 'CPU after the move', cell: (r) => formatPercent(r.cpuUtil) },
                        { key: 'memory', header: 'Memory after the move', cell: (r) => formatPercent(r.memoryUtil) },
                      ]}
                    />
                  </fieldset>
                )
              ) : (
                <fieldset>
                  <legend>Every other system</legend>
                  <DataTable
                    caption={`Systems ${wpar.name} may be relocated to by hand`}
                    rows={others}
                    rowKey={(o) => o.system.id}
                    empty="There is no other system."
                    columns={[
                      {
                        key: 'system',
                        header: 'System',
                        cell: (o) => (
                          <RadioChoice name="manual" checked={manual === o.system.id} disabled={!o.offered} onChange={() => { setManual(o.system.id); setErrors({}); }}>
                            {o.system.name}
                            {o.notOffered && <span className="visually-hidden"> (not offered: {o.notOffered})</span>}
                          </RadioChoice>
                        ),
                      },
                      { key: 'state', header: 'Compatibility', cell: (o) => <CompatibilityBadge state={o.state} /> },
                      { key: 'offered', header: 'Offered', cell: (o) => (o.offered ? (o.needsConfirmation ? 'yes, once confirmed' : 'yes') : `no: ${o.notOffered ?? ''}`) },
                      { key: 'automatic', header: 'Not automatic because', cell: (o) => (o.notAutomatic.length ? o.notAutomatic.join('; ') : '—') },
                    ]}
                  />
                </fieldset>
              )}
              <Field label="Memory transfer">
                <select value={method} onChange={(e) => setMethod(e.target.value as MemoryMethod | '')}>
                  <option value="">The best both systems support</option>
                  {MEMORY_METHODS.map((m) => <option key={m} value={m}>{METHOD_LABELS[m]}</option>)}
                </select>
              </Field>
            </>
          )}
          <FormError message={errors['']} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy || !targets}>Relocate</button>
            <button type="button" onClick={onClose}>Cancel</button>
          </div>
        </form>
      )}

      {step.kind === 'confirm' && targets && (
        <>
          <h3 ref={heading} tabIndex={-1}>Confirm: {step.target.name} is {STATE_LABELS[step.state]}</h3>
          {step.asked && <p role="alert" className="notice">The manager asks for a confirmation: {step.asked}</p>}
          <p>{stateMeaning(step.state, targets.departure.name, step.target.name)}</p>
          <FailingTests departure={targets.departure} target={step.target} optional={targets.optionalTests} />
          <p>Relocate {wpar.name} from {targets.departure.name} to {step.target.name} anyway?</p>
          <FormError message={errors['']} />
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => void send(step.target, true)}>Relocate anyway</button>
            <button type="button" onClick={() => { setErrors({}); setStep({ kind: 'choose' }); }}>Back</button>
          </div>
        </>
      )}

      {step.kind === 'running' && (
        <>
          <h3 ref={heading} tabIndex={-1}>Relocating {wpar.name} to {step.target.name}</h3>
          <TaskProgress task={step.task} label={`relocation of ${wpar.name}`}>
            {(t) => {
              const r = t.result as RelocationResult | null;
              if (t.status === 'succeeded' && r) return <p className="notice">{wpar.name} now runs on <Link to={`/systems/${r.systemId}`}>{r.systemName}</Link>.</p>;
              if (t.status === 'failed' || t.status === 'cancelled') return <p>{wpar.name} was not relocated to {step.target.name}.</p>;
              return null;
            }}
          </TaskProgress>
          <div className="buttons">
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** A radio button with its label, as a table's first cell. */
function RadioChoice({ name, checked, disabled, onChange, children }: { name: string; checked: boolean; disabled?: boolean; onChange: () => void; children: ReactNode }) {
  return (
    <label className="choice">
      <input type="radio" name={name} checked={checked} disabled={disabled} onChange={onChange} />
      {' '}{children}
    </label>
  );
}

/** The applied tests that fail each way between the two systems, as the compatibility view has them. */
function FailingTests({ departure, target, optional }: { departure: ResourceRef; target: ResourceRef; optional: TargetsView['optionalTests'] }) {
  const view = usePoll(() => call(routes.systems.compatibility, { params: { id: departure.id }, query: { tests: optional } }), [departure.id, optional.join()], 15_000);
  const pair = view.data?.pairs.find((p) => p.other.id === target.id);
  if (!pair?.outbound || !pair.inbound) return <LoadError error={view.error} />;
  return (
    <ul>
      <li>Tests failing from {departure.name} to {target.name}: {testList(pair.outbound.failing)}</li>
      <li>Tests failing from {target.name} to {departure.name}: {testList(pair.inbound.failing)}</li>
    </ul>
  );
}
