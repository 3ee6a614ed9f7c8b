// The changes an administrator makes to a complex: apply a codeword, activate or deactivate
// components on one system, edit who is notified. Each checks against the shared schema
// first and shows the manager's refusal (its stable code and message) beside the field.
import { useState, type FormEvent } from 'react';
import { ActivationRequest, ApplyCodewordRequest, ModifyComplexRequest, type AppliedCodeword, type CapacitySystemView, type ComplexView } from '../../../../src/api/capacity.js';
import { patch, post } from '../../api/client.js';
import { Dialog } from '../../components/Dialog.js';
import { DialogButtons, Field } from '../../components/Field.js';
import { announce } from '../../lib/announce.js';
import { announceChange } from '../../lib/changes.js';
import { focusInvalid, useFormSubmit } from '../../lib/use-form-submit.js';
import { serverErrors, schemaErrors, type FieldErrors } from '../../lib/validation.js';
import { formatCoreSeconds } from './capacity-format.js';

interface Props {
  complex: ComplexView;
  onDone: (message: string) => void;
  onClose: () => void;
}

function finish(onDone: (m: string) => void, onClose: () => void, message: string) {
  announce(message);
  announceChange();
  onDone(message);
  onClose();
}

function describeApplied(a: AppliedCodeword): string {
  const what = a.kind === 'cores' ? `${a.quantity} core usage ${a.quantity === 1 ? 'right' : 'rights'}`
    : a.kind === 'memory' ? `${a.quantity} GiB of memory usage rights`
      : a.kind === 'cell' ? `${a.quantity} cell usage ${a.quantity === 1 ? 'right' : 'rights'}`
        : `${formatCoreSeconds(a.quantity)} of temporary capacity`;
  return `Codeword ${a.sequence} applied to ${a.complex.name}: ${what}.`;
}

export function ApplyCodewordDialog({ complex, onDone, onClose }: Props) {
  const [codeword, setCodeword] = useState('');
  const { errors, setErrors, busy, run } = useFormSubmit();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const body = { codeword: codeword.trim(), complex: complex.id };
    return run(form, schemaErrors(ApplyCodewordRequest, body), async () => {
      finish(onDone, onClose, describeApplied(await post<AppliedCodeword>('/capacity/codewords', body)));
    }, (err) => {
      // Every refusal of a codeword is about the codeword: it goes beside the field.
      const s = serverErrors(err);
      setErrors({ '/codeword': s['/codeword'] ?? s[''] ?? Object.values(s)[0] ?? 'Refused.' });
      focusInvalid(form);
    });
  };

  return (
    <Dialog title={`Apply a codeword to ${complex.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>Codewords of a complex apply in sequence; the next one is number {complex.lastSequence + 1}.</p>
        <Field label="Codeword" hint="Groups of five characters separated by dashes, as issued; a typo is caught and its group named." error={errors['/codeword']}>
          <textarea value={codeword} onChange={(e) => setCodeword(e.target.value)} rows={3} autoComplete="off" spellCheck={false} />
        </Field>
        <DialogButtons error={errors['']} submit="Apply" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

type ComponentKey = 'cores' | 'memoryGiB' | 'cells';
const LABELS: Record<ComponentKey, string> = { cores: 'Cores', memoryGiB: 'Memory (GiB)', cells: 'Cells' };

export function ActivationDialog({ complex, system, action, onDone, onClose }: Props & { system: CapacitySystemView; action: 'activate' | 'deactivate' }) {
  const keys: ComponentKey[] = ['cores', ...(complex.memoryGiB ? ['memoryGiB' as const] : []), ...(complex.cells ? ['cells' as const] : [])];
  const [values, setValues] = useState<Record<string, string>>({});
  const { errors, busy, run } = useFormSubmit();
  const verb = action === 'activate' ? 'Activate' : 'Deactivate';

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    const found: FieldErrors = {};
    for (const k of keys) {
      const v = (values[k] ?? '').trim();
      if (v === '') continue;
      if (!/^\d+$/.test(v)) found[`/${k}`] = 'Must be a whole number.';
      else body[k] = Number(v);
    }
    Object.assign(found, schemaErrors(ActivationRequest, body));
    if (Object.keys(body).length === 0 && !Object.keys(found).some((k) => k !== '')) {
      delete found[''];
      found[`/${keys[0]}`] = `Give how many to ${action}.`;
    }
    return run(e.currentTarget, found, async () => {
      await post<ComplexView>(`/capacity/systems/${encodeURIComponent(system.id)}/${action}`, body);
      const what = keys.filter((k) => body[k] !== undefined).map((k) => `${String(body[k])} ${LABELS[k].toLowerCase()}`).join(', ');
      finish(onDone, onClose, `${verb}d ${what} on ${system.name}: pending until its agent reports it applied.`);
    });
  };

  return (
    <Dialog title={`${verb} on ${system.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          Intended active now: {system.intended.cores} cores
          {system.intended.memoryGiB !== null ? `, ${system.intended.memoryGiB} GiB of memory` : ''}
          {system.intended.cells !== null ? `, ${system.intended.cells} cells` : ''}.
          {action === 'activate'
            ? ` Usage rights: ${complex.cores.rights} cores. Cores beyond them use temporary capacity (at least 30 minutes of it per core).`
            : ' Deactivation is always allowed.'}
        </p>
        {keys.map((k) => (
          <Field key={k} label={`${LABELS[k]} to ${action}`} error={errors[`/${k}`]}>
            <input inputMode="numeric" value={values[k] ?? ''} onChange={(e) => setValues({ ...values, [k]: e.target.value })} autoComplete="off" />
          </Field>
        ))}
        <DialogButtons error={errors['']} submit={verb} busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const lines = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

/** The first message about any item of a list field ("/contacts/2" → "/contacts"). */
function byList(found: FieldErrors, list: string[], key: string): string | undefined {
  const entry = Object.entries(found).find(([k]) => k === `/${key}` || k.startsWith(`/${key}/`));
  if (!entry) return undefined;
  const i = Number(entry[0].split('/')[2]);
  return Number.isInteger(i) && list[i] !== undefined ? `"${list[i]}": ${entry[1]}` : entry[1];
}

export function ContactsDialog({ complex, onDone, onClose }: Props) {
  const [contacts, setContacts] = useState(complex.contacts.join('\n'));
  const [webhooks, setWebhooks] = useState(complex.webhooks.join('\n'));
  const { errors, setErrors, busy, run } = useFormSubmit();

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const c = lines(contacts);
    const w = lines(webhooks);
    const body = { contacts: c, webhooks: w };
    const raw = schemaErrors(ModifyComplexRequest, body);
    const found: FieldErrors = {};
    const ce = byList(raw, c, 'contacts');
    const we = byList(raw, w, 'webhooks');
    if (ce) found['/contacts'] = ce.replace('Must be a valid email.', 'must be an e-mail address.');
    if (we) found['/webhooks'] = we.replace(/Must be like .*$/, 'must start with http:// or https://.');
    return run(e.currentTarget, found, async () => {
      await patch<ComplexView>(`/capacity/complexes/${encodeURIComponent(complex.id)}`, body);
      finish(onDone, onClose, `Contacts of ${complex.name} saved.`);
    }, (err) => {
      const s = serverErrors(err);
      setErrors({ '/contacts': byList(s, c, 'contacts') ?? '', '/webhooks': byList(s, w, 'webhooks') ?? '', '': s[''] ?? '' });
    });
  };

  return (
    <Dialog title={`Contacts of ${complex.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>Who is told about configuration changes, warnings before temporary capacity runs out, and exceptions.</p>
        <Field label="E-mail addresses" hint="One a line, up to 16." error={errors['/contacts'] || undefined}>
          <textarea value={contacts} onChange={(e) => setContacts(e.target.value)} rows={4} autoComplete="off" />
        </Field>
        <Field label="Webhooks" hint="One URL a line (http:// or https://), up to 16." error={errors['/webhooks'] || undefined}>
          <textarea value={webhooks} onChange={(e) => setWebhooks(e.target.value)} rows={3} autoComplete="off" />
        </Field>
        <DialogButtons error={errors[''] || undefined} submit="Save" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
