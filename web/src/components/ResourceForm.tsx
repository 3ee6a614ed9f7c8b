// A dialog form for a named inventory resource (system, domain, group): text and choice
// fields, checked against the shared request schema, refusals shown beside their fields.
// Creating sends every filled field; modifying sends only what changed. A field may turn its
// text into another value (a number, null), its message shown beside it when it cannot.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { TSchema } from 'typebox';
import { useFormSubmit } from '../lib/use-form-submit.js';
import { serverErrors, schemaErrors, type FieldErrors } from '../lib/validation.js';
import { Dialog } from './Dialog.js';
import { DialogButtons, Field, FormError } from './Field.js';

export interface FormField {
  key: string;
  label: string;
  hint?: string;
  options?: { value: string; label: string }[];
  multiline?: boolean;
  /** Numbers: a numeric keyboard on touch devices. */
  numeric?: boolean;
  /** The value sent for the text (by default the text itself); throws with the message for the field. */
  parse?: (text: string) => unknown;
}

interface Props {
  title: string;
  schema: TSchema;
  fields: FormField[];
  initial: Record<string, string>;
  /** Modify: send only the fields that differ from `initial`. */
  changesOnly?: boolean;
  submitLabel: string;
  /** Extra parts of the body that are not text fields (e.g. a group's policy). */
  extra?: { body: Record<string, unknown>; node: ReactNode; errors?: FieldErrors };
  onSubmit: (body: Record<string, unknown>) => Promise<unknown>;
  onClose: () => void;
}

export function ResourceForm({ title, schema, fields, initial, changesOnly, submitLabel, extra, onSubmit, onClose }: Props) {
  const [values, setValues] = useState(initial);
  const { errors, busy, run } = useFormSubmit();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body: Record<string, unknown> = { ...extra?.body };
    const unparsed: FieldErrors = {};
    for (const f of fields) {
      const v = values[f.key] ?? '';
      if (!(changesOnly ? v !== initial[f.key] : v !== '')) continue;
      try {
        body[f.key] = f.parse ? f.parse(v) : v;
      } catch (err) {
        unparsed[`/${f.key}`] = err instanceof Error ? err.message : String(err);
      }
    }
    // What could not be read stays out of the body, so the schema's word on it (or on the body
    // as a whole, e.g. "required") would mislead.
    const checked = schemaErrors(schema, body);
    const misread = Object.keys(unparsed).length > 0;
    for (const k of misread ? [...Object.keys(unparsed), ''] : []) delete checked[k];
    const found = { ...checked, ...unparsed, ...extra?.errors };
    if (changesOnly && !misread && Object.keys(body).length === 0) found[''] = 'Nothing changed.';
    return run(e.currentTarget, found, async () => {
      await onSubmit(body);
      onClose();
    });
  };

  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {fields.map((f) => {
          const set = (v: string) => setValues({ ...values, [f.key]: v });
          const v = values[f.key] ?? '';
          return (
            <Field key={f.key} label={f.label} hint={f.hint} error={errors[`/${f.key}`]}>
              {f.options ? (
                <select value={v} onChange={(e) => set(e.target.value)}>
                  {f.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                </select>
              ) : f.multiline ? (
                <textarea value={v} onChange={(e) => set(e.target.value)} rows={3} />
              ) : (
                <input value={v} onChange={(e) => set(e.target.value)} autoComplete="off" inputMode={f.numeric ? 'numeric' : undefined} />
              )}
            </Field>
          );
        })}
        {extra?.node}
        {Object.entries(errors).filter(([k]) => k !== '' && !fields.some((f) => `/${f.key}` === k) && !extra?.errors?.[k]).map(([k, m]) => (
          <p key={k} className="field-error">{k.slice(1)}: {m}</p>
        ))}
        <DialogButtons error={errors['']} submit={submitLabel} busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** Asks before removing; shows the manager's refusal (e.g. still has members) in place. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onClose }: { title: string; message: string; confirmLabel: string; onConfirm: () => Promise<unknown>; onClose: () => void }) {
  const { errors, setErrors, busy, run } = useFormSubmit();
  const confirm = () => run(null, {}, async () => {
    await onConfirm();
    onClose();
  }, (e) => setErrors({ '': serverErrors(e)[''] ?? 'Refused.' }));
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{message}</p>
      <FormError message={errors['']} />
      <div className="buttons">
        <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>{confirmLabel}</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
