// Quick create: the few fields most WPARs need, everything else at its default.
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/Field.js';
import { serverErrors, type FieldErrors } from '../../lib/validation.js';
import { useChoices } from './choices.js';
import { DeploymentFields, GeneralFields } from './SpecFields.js';
import { emptyDraft, toRequest, validateDraft, type SpecDraft } from './spec-draft.js';
import { createWpar } from './submit.js';

export function QuickCreateDialog({ onClose }: { onClose: () => void }) {
  const { groups, systems } = useChoices();
  const [draft, setDraft] = useState<SpecDraft>(emptyDraft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<SpecDraft>) => setDraft((d) => ({ ...d, ...change }));

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    try {
      await createWpar(toRequest(draft));
      onClose();
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Quick create a WPAR" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <GeneralFields draft={draft} set={set} errors={errors} groups={groups} />
        <DeploymentFields draft={draft} set={set} errors={errors} systems={systems} />
        <FormError message={errors['']} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>Create</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
