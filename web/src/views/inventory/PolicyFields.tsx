// The relocation policy of a WPAR group: thresholds, averaging and the weighted metrics, with
// the schema's and policyProblems()'s messages beside the fields they concern.
import { POLICY_METRICS, type PolicyMetric, type PolicyMetricName, type RelocationPolicy } from '../../../../src/api/groups.js';
import { Field } from '../../components/Field.js';
import type { FieldErrors } from '../../lib/validation.js';

export function PolicyFields({ policy, set, errors }: { policy: RelocationPolicy; set: (p: RelocationPolicy) => void; errors: FieldErrors }) {
  const e = (k: string) => errors[`/policy/${k}`];
  const num = (k: 'maxThreshold' | 'minThreshold' | 'averagingPeriodMinutes' | 'triggerCount') => (
    <input inputMode="decimal" value={Number.isNaN(policy[k]) ? '' : String(policy[k])} onChange={(ev) => set({ ...policy, [k]: ev.target.value === '' ? NaN : Number(ev.target.value) })} />
  );
  const metric = (i: number, patch: Partial<PolicyMetric>) => set({ ...policy, metrics: policy.metrics.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  const optNum = (v: string) => (v === '' ? undefined : Number(v));
  return (
    <fieldset>
      <legend>Relocation policy</legend>
      <label className="inline"><input type="checkbox" checked={policy.enabled} onChange={(ev) => set({ ...policy, enabled: ev.target.checked })} /> Policy-based relocation enabled</label>
      <Field label="When enabled, mobility events are" error={e('automation')}>
        <select value={policy.automation} onChange={(ev) => set({ ...policy, automation: ev.target.value as RelocationPolicy['automation'] })}>
          <option value="recommend">recommendations to apply or dismiss</option>
          <option value="automatic">carried out automatically</option>
        </select>
      </Field>
      <Field label="Maximum threshold (%)" error={e('maxThreshold')}>{num('maxThreshold')}</Field>
      <Field label="Minimum threshold (%)" error={e('minThreshold')}>{num('minThreshold')}</Field>
      <Field label="Averaging period (minutes)" error={e('averagingPeriodMinutes')}>{num('averagingPeriodMinutes')}</Field>
      <Field label="Trigger count" error={e('triggerCount')}>{num('triggerCount')}</Field>
      {policy.metrics.map((m, i) => (
        <fieldset key={i}>
          <legend>Metric {i + 1}</legend>
          <Field label="Metric" error={e(`metrics/${i}/metric`)}>
            <select value={m.metric} onChange={(ev) => metric(i, { metric: ev.target.value as PolicyMetricName })}>
              {Object.keys(POLICY_METRICS).map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </Field>
          <Field label="Weight" error={e(`metrics/${i}/weight`)}>
            <input inputMode="decimal" value={String(m.weight)} onChange={(ev) => metric(i, { weight: Number(ev.target.value) })} />
          </Field>
          <Field label="Limit (the value that counts as 100%)" error={e(`metrics/${i}/limit`)}>
            <input inputMode="decimal" value={String(m.limit)} onChange={(ev) => metric(i, { limit: Number(ev.target.value) })} />
          </Field>
          <Field label="Override above (%)" error={e(`metrics/${i}/max`)}>
            <input inputMode="decimal" value={m.max === undefined ? '' : String(m.max)} onChange={(ev) => metric(i, { max: optNum(ev.target.value) })} />
          </Field>
          <Field label="Override below (%)" error={e(`metrics/${i}/min`)}>
            <input inputMode="decimal" value={m.min === undefined ? '' : String(m.min)} onChange={(ev) => metric(i, { min: optNum(ev.target.value) })} />
          </Field>
          <button type="button" onClick={() => set({ ...policy, metrics: policy.metrics.filter((_, j) => j !== i) })}>Remove metric {i + 1}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set({ ...policy, metrics: [...policy.metrics, { metric: 'cpu', weight: 1, limit: 1 }] })}>Add metric</button>
    </fieldset>
  );
}
