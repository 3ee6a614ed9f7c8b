// The submit cycle every form shares: show what the check found, or else send, keeping the
// submit button busy meanwhile and putting the manager's refusal beside its fields.
import { useState } from 'react';
import { serverErrors, type FieldErrors } from './validation.js';

/**
 * Moves focus to the first field marked invalid, so that keyboard and screen-reader users land
 * on the problem rather than stay on the submit button. Waits a frame: the marks (aria-invalid)
 * appear only once the form has rendered with its new errors.
 */
export const focusInvalid = (form: HTMLFormElement | null) =>
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

export function useFormSubmit() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  /**
   * Shows `found` (the form's own check) and, when it is empty, runs `action`. `form` is where
   * to focus the first invalid field after a failed check (null: leave focus where it is).
   * A refusal goes to `refused`, by default shown as field errors.
   */
  const run = async (form: HTMLFormElement | null, found: FieldErrors, action: () => Promise<unknown>, refused = (err: unknown) => setErrors(serverErrors(err))) => {
    setErrors(found);
    if (Object.keys(found).length > 0) {
      if (form) focusInvalid(form);
      return;
    }
    setBusy(true);
    try {
      await action();
    } catch (err) {
      refused(err);
    } finally {
      setBusy(false);
    }
  };

  return { errors, setErrors, busy, run };
}
