// A labelled form control with its validation message right beside it, tied together for
// screen readers (aria-invalid, aria-describedby).
import { useId, type ReactElement, type ReactNode } from 'react';
import { cloneElement } from 'react';

export function Field({ label, error, hint, children }: { label: string; error?: string; hint?: ReactNode; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy });
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && <div id={hintId} className="hint">{hint}</div>}
      {error && <div id={errorId} className="field-error">{error}</div>}
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
  /** Shown but not choosable (e.g. already taken elsewhere); the label should say why. */
  disabled?: boolean;
}

/**
 * A choice of several (check boxes) under a legend, with its hint and message tied to each box
 * as Field ties them to its one control, so the first box takes the focus when it is invalid.
 */
export function CheckboxGroup({ legend, error, hint, choices, selected, onChange, empty }: {
  legend: string;
  error?: string;
  hint?: ReactNode;
  choices: readonly Choice[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  /** Said when there is nothing to choose. */
  empty?: ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className={`field-group${error ? ' field-invalid' : ''}`}>
      <legend>{legend}</legend>
      {choices.length === 0 && empty !== undefined && <p className="empty-state">{empty}</p>}
      {choices.map((c) => (
        <label key={c.value} className="inline">
          <input
            type="checkbox"
            checked={selected.includes(c.value)}
            disabled={c.disabled}
            aria-invalid={error && !c.disabled ? true : undefined}
            aria-describedby={describedBy}
            onChange={(e) => onChange(e.target.checked ? [...selected, c.value] : selected.filter((v) => v !== c.value))}
          />
          {' '}{c.label}
        </label>
      ))}
      {hint && <div id={hintId} className="hint">{hint}</div>}
      {error && <div id={errorId} className="field-error">{error}</div>}
    </fieldset>
  );
}

/** A refusal that belongs to the whole form, announced when it appears. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return <p role="alert" className="form-error">{message}</p>;
}

/** The end of a dialog's form: what was refused as a whole, then its submit button and Cancel. */
export function DialogButtons({ error, submit, busy, onCancel }: { error?: string; submit: string; busy: boolean; onCancel: () => void }) {
  return (
    <>
      <FormError message={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>{submit}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </>
  );
}
