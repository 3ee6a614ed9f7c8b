// Quick create: the few fields most WPARs need, everything else at its default.
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog.js';
import { DialogButtons } from '../../components/Field.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { useChoices } from './choices.js';
import { DeploymentFields, GeneralFields } from './SpecFields.js';
import { emptyDraft, toRequest, validateDraft, type SpecDraft } from './spec-draft.js';
import { createWpar } from './submit.js';

export function QuickCreateDialog({ onClose }: { onClose: () => void }) {
  const { groups, systems } = useChoices();
  const [draft, setDraft] = useState<SpecDraft>(emptyDraft);
  const { errors, busy, run } = useFormSubmit();
  const set = (change: Partial<SpecDraft>) => setDraft((d) => ({ ...d, ...change }));

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    return run(e.currentTarget, validateDraft(draft), async () => {
      await createWpar(toRequest(draft));
      onClose();
    });
  };

  return (
    <Dialog title="Quick create a WPAR" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <GeneralFields draft={draft} set={set} errors={errors} groups={groups} />
        <DeploymentFields draft={draft} set={set} errors={errors} systems={systems} />
        <DialogButtons error={errors['']} submit="Create" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
