// The fields of a WPAR definition, in the groups the wizard steps through (and the quick
// create reuses). Each shows its own validation message.
import type { GroupView } from '../../../../src/api/groups.js';
import type { SystemView } from '../../../../src/api/systems.js';
import { Field } from '../../components/Field.js';
import type { FieldErrors } from '../../lib/validation.js';
import { emptyInterface, emptyMount, type SpecDraft } from './spec-draft.js';

export interface FieldsProps {
  draft: SpecDraft;
  set: (change: Partial<SpecDraft>) => void;
  errors: FieldErrors;
}

export function GeneralFields({ draft, set, errors, groups }: FieldsProps & { groups: readonly GroupView[] }) {
  return (
    <>
      <Field label="Name" error={errors['/name']} hint="Starts with a letter; letters, digits, _ and -, up to 30.">
        <input value={draft.name} onChange={(e) => set({ name: e.target.value })} autoComplete="off" />
      </Field>
      <fieldset>
        <legend>Type</legend>
        <label className="inline"><input type="radio" name="wpar-type" checked={draft.type === 'system'} onChange={() => set({ type: 'system' })} /> System WPAR (long-lived, its own init and services)</label>
        <label className="inline"><input type="radio" name="wpar-type" checked={draft.type === 'application'} onChange={() => set({ type: 'application' })} /> Application WPAR (runs one command)</label>
      </fieldset>
      <Field label={draft.type === 'application' ? 'Command' : 'Init command (optional)'} error={errors['/command']} hint="Arguments separated by spaces.">
        <input value={draft.command} onChange={(e) => set({ command: e.target.value })} autoComplete="off" />
      </Field>
      <Field label="Host name (optional)" error={errors['/hostname']}>
        <input value={draft.hostname} onChange={(e) => set({ hostname: e.target.value })} autoComplete="off" />
      </Field>
      <Field label="Base image" error={errors['/image']}>
        <input value={draft.image} onChange={(e) => set({ image: e.target.value })} autoComplete="off" />
      </Field>
      <Field label="WPAR group" error={errors['/group']}>
        <select value={draft.group} onChange={(e) => set({ group: e.target.value })}>
          <option value="">The default group</option>
          {groups.filter((g) => !g.isDefault).map((g) => <option key={g.id} value={g.name}>{g.name}</option>)}
        </select>
      </Field>
      <label className="inline">
        <input type="checkbox" checked={draft.checkpointable} onChange={(e) => set({ checkpointable: e.target.checked })} /> Enable relocation (checkpointable: can be paused, frozen and moved)
      </label>
    </>
  );
}

export function NetworkFields({ draft, set, errors }: FieldsProps) {
  const change = (i: number, patch: Partial<SpecDraft['interfaces'][number]>) =>
    set({ interfaces: draft.interfaces.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  return (
    <>
      {draft.interfaces.length === 0 && <p>No network interface: the WPAR has only its loopback, and cannot be relocated.</p>}
      {draft.interfaces.map((iface, i) => (
        <fieldset key={i}>
          <legend>Interface {i + 1}</legend>
          <Field label="IPv4 address" error={errors[`/interfaces/${i}/address`]}>
            <input value={iface.address} onChange={(e) => change(i, { address: e.target.value })} autoComplete="off" />
          </Field>
          <Field label="Prefix length" error={errors[`/interfaces/${i}/prefix`]}>
            <input inputMode="numeric" value={iface.prefix} onChange={(e) => change(i, { prefix: e.target.value })} />
          </Field>
          <Field label="Gateway (optional)" error={errors[`/interfaces/${i}/gateway`]}>
            <input value={iface.gateway} onChange={(e) => change(i, { gateway: e.target.value })} autoComplete="off" />
          </Field>
          <Field label="Host bridge (optional)" error={errors[`/interfaces/${i}/bridge`]}>
            <input value={iface.bridge} onChange={(e) => change(i, { bridge: e.target.value })} autoComplete="off" />
          </Field>
          <button type="button" onClick={() => set({ interfaces: draft.interfaces.filter((_, j) => j !== i) })}>Remove interface {i + 1}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set({ interfaces: [...draft.interfaces, emptyInterface()] })}>Add interface</button>
    </>
  );
}

export function ResourceFields({ draft, set, errors }: FieldsProps) {
  const r = draft.resources;
  const change = (patch: Partial<SpecDraft['resources']>) => set({ resources: { ...r, ...patch } });
  return (
    <>
      <p>Leave a control empty for no limit.</p>
      <Field label="CPU shares (relative weight)" error={errors['/resources/cpuShares']}>
        <input inputMode="numeric" value={r.cpuShares} onChange={(e) => change({ cpuShares: e.target.value })} />
      </Field>
      <Field label="CPU limit (cores)" error={errors['/resources/cpuLimit']}>
        <input inputMode="decimal" value={r.cpuLimit} onChange={(e) => change({ cpuLimit: e.target.value })} />
      </Field>
      <Field label="Memory limit (MiB)" error={errors['/resources/memoryLimitMiB']}>
        <input inputMode="numeric" value={r.memoryLimitMiB} onChange={(e) => change({ memoryLimitMiB: e.target.value })} />
      </Field>
      <Field label="Process limit" error={errors['/resources/processLimit']}>
        <input inputMode="numeric" value={r.processLimit} onChange={(e) => change({ processLimit: e.target.value })} />
      </Field>
    </>
  );
}

export function MountFields({ draft, set, errors }: FieldsProps) {
  const change = (i: number, patch: Partial<SpecDraft['mounts'][number]>) =>
    set({ mounts: draft.mounts.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  return (
    <>
      {draft.mounts.length === 0 && <p>No extra file systems.</p>}
      {draft.mounts.map((m, i) => (
        <fieldset key={i}>
          <legend>File system {i + 1}</legend>
          <Field label="Kind" error={errors[`/mounts/${i}/type`]}>
            <select value={m.type} onChange={(e) => change(i, { type: e.target.value as 'bind' | 'tmpfs' })}>
              <option value="bind">Host directory (bind)</option>
              <option value="tmpfs">Memory (tmpfs)</option>
            </select>
          </Field>
          <Field label="Source (host path, or tmpfs)" error={errors[`/mounts/${i}/source`]}>
            <input value={m.source} onChange={(e) => change(i, { source: e.target.value })} autoComplete="off" />
          </Field>
          <Field label="Mount point in the WPAR" error={errors[`/mounts/${i}/target`]}>
            <input value={m.target} onChange={(e) => change(i, { target: e.target.value })} autoComplete="off" />
          </Field>
          <label className="inline"><input type="checkbox" checked={m.readOnly} onChange={(e) => change(i, { readOnly: e.target.checked })} /> Read-only</label>
          <button type="button" onClick={() => set({ mounts: draft.mounts.filter((_, j) => j !== i) })}>Remove file system {i + 1}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set({ mounts: [...draft.mounts, emptyMount()] })}>Add file system</button>
    </>
  );
}

export function DeploymentFields({ draft, set, errors, systems }: FieldsProps & { systems: readonly SystemView[] }) {
  return (
    <>
      <Field label="Deploy on" error={errors['/system']} hint="Undeployed WPARs are kept in the manager for later deployment.">
        <select value={draft.system} onChange={(e) => set({ system: e.target.value })}>
          <option value="">Do not deploy now</option>
          {systems.map((s) => <option key={s.id} value={s.name}>{s.name} ({s.state})</option>)}
        </select>
      </Field>
      {draft.system && draft.type === 'system' && (
        <label className="inline"><input type="checkbox" checked={draft.start} onChange={(e) => set({ start: e.target.checked })} /> Start it once deployed</label>
      )}
    </>
  );
}
