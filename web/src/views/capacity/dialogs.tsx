// The changes an administrator makes to instant capacity: declare a complex, apply a
// codeword, activate or deactivate components on one system, edit who is notified (modifying
// a complex and moving cores: complex-forms.tsx). Each checks against the shared schema
// first and shows the manager's refusal (its stable code and message) beside the form.
import { useState, type FormEvent } from 'react';
import {
  ActivationRequest,
  ApplyCodewordRequest,
  CreateComplexRequest,
  ModifyComplexRequest,
  type AppliedCodeword,
  type CapacitySystemView,
  type ComplexView,
} from '../../../../src/api/capacity.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { Dialog } from '../../components/Dialog.js';
import { CheckboxGroup, DialogButtons, Field } from '../../components/Field.js';
import { announce } from '../../lib/announce.js';
import { announceChange } from '../../lib/changes.js';
import { focusInvalid, useFormSubmit } from '../../lib/use-form-submit.js';
import { usePoll } from '../../lib/usePoll.js';
import { serverErrors, schemaErrors, type FieldErrors } from '../../lib/validation.js';
import { formatCoreSeconds, parseCount, parseDuration } from './capacity-format.js';

export interface Props {
  complex: ComplexView;
  onDone: (message: string) => void;
  onClose: () => void;
}

/** Says what was done, and has every list on screen reload. */
export function report(onDone: (m: string) => void, message: string) {
  announce(message);
  announceChange();
  onDone(message);
}

function finish(onDone: (m: string) => void, onClose: () => void, message: string) {
  report(onDone, message);
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
      finish(onDone, onClose, describeApplied(await call(routes.capacity.applyCodeword, { body })));
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
      await call(routes.capacity[action], { params: { id: system.id }, body: checkedBody(routes.capacity[action], body) });
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

/** The contacts' and webhooks' messages, each naming the entry it is about. */
function contactErrors(found: FieldErrors, contacts: string[], webhooks: string[]): FieldErrors {
  const out: FieldErrors = {};
  const ce = byList(found, contacts, 'contacts');
  const we = byList(found, webhooks, 'webhooks');
  if (ce) out['/contacts'] = ce.replace('Must be a valid email.', 'must be an e-mail address.');
  if (we) out['/webhooks'] = we.replace(/Must be like .*$/, 'must start with http:// or https://.');
  return out;
}

function ContactFields({ contacts, webhooks, setContacts, setWebhooks, errors }: {
  contacts: string;
  webhooks: string;
  setContacts: (v: string) => void;
  setWebhooks: (v: string) => void;
  errors: FieldErrors;
}) {
  return (
    <>
      <Field label="E-mail addresses" hint="One a line, up to 16." error={errors['/contacts'] || undefined}>
        <textarea value={contacts} onChange={(e) => setContacts(e.target.value)} rows={4} autoComplete="off" />
      </Field>
      <Field label="Webhooks" hint="One URL a line (http:// or https://), up to 16." error={errors['/webhooks'] || undefined}>
        <textarea value={webhooks} onChange={(e) => setWebhooks(e.target.value)} rows={3} autoComplete="off" />
      </Field>
    </>
  );
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
    return run(e.currentTarget, contactErrors(schemaErrors(ModifyComplexRequest, body), c, w), async () => {
      await call(routes.capacity.modify, { params: { id: complex.id }, body });
      finish(onDone, onClose, `Contacts of ${complex.name} saved.`);
    }, (err) => {
      const s = serverErrors(err);
      setErrors({ ...contactErrors(s, c, w), '': s[''] ?? '' });
    });
  };

  return (
    <Dialog title={`Contacts of ${complex.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>Who is told about configuration changes, warnings before temporary capacity runs out, and exceptions.</p>
        <ContactFields contacts={contacts} webhooks={webhooks} setContacts={setContacts} setWebhooks={setWebhooks} errors={errors} />
        <DialogButtons error={errors[''] || undefined} submit="Save" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export const EXHAUSTION_CHOICES = [
  { value: 'deactivate', label: 'Deactivate back to the usage rights, and notify' },
  { value: 'notify', label: 'Notify only' },
];
export const DURATION_HINT = 'As the CLI takes it: 30d, 12h, 90m, or seconds.';

/** The text fields of the declaration, by the path of their value in the request. */
const DECLARE_FIELDS: { path: string; label: string; hint?: string; duration?: boolean }[] = [
  { path: '/rights/cores', label: 'Core usage rights' },
  { path: '/rights/memoryGiB', label: 'Memory usage rights (GiB)', hint: 'Empty: memory is not governed.' },
  { path: '/rights/cells', label: 'Cell usage rights', hint: 'Empty: cells are not governed.' },
  { path: '/totalCores', label: 'Installed cores', hint: "Empty: the sum of the systems' host profiles, once reported." },
  { path: '/totalMemoryGiB', label: 'Installed memory (GiB)', hint: "Empty: the sum of the systems' host profiles, once reported." },
  { path: '/totalCells', label: 'Installed cells', hint: 'Empty: unknown.' },
  { path: '/instantAccessSeconds', label: 'Instant Access Capacity (core-time)', hint: `Temporary capacity that comes with the rights. ${DURATION_HINT}`, duration: true },
  { path: '/warningPeriodSeconds', label: 'Warning period', hint: `How long before temporary capacity runs out the contacts are warned (default 1d). ${DURATION_HINT}`, duration: true },
];

/** Sets a value at a path such as "/rights/cores" (the same paths the schema's messages carry). */
function setAt(body: Record<string, unknown>, path: string, value: unknown) {
  const [first, second] = path.slice(1).split('/') as [string, string | undefined];
  if (second === undefined) body[first] = value;
  else (body[first] as Record<string, unknown>)[second] = value;
}

/** Declares a complex: its serial, systems (each in one complex at most), rights and totals. */
export function DeclareComplexDialog({ complexes, onDone, onClose }: { complexes: readonly ComplexView[]; onDone: (message: string) => void; onClose: () => void }) {
  const systems = usePoll(() => call(routes.systems.list, { query: { limit: 1000 } }), [], 15_000);
  const [values, setValues] = useState<Record<string, string>>({});
  const [chosen, setChosen] = useState<string[]>([]);
  const [exhaustion, setExhaustion] = useState('deactivate');
  const [contacts, setContacts] = useState('');
  const [webhooks, setWebhooks] = useState('');
  const { errors, setErrors, busy, run } = useFormSubmit();
  const memberOf = new Map(complexes.flatMap((c) => c.systems.map((s) => [s.id, c.name] as const)));
  const choices = (systems.data?.items ?? []).map((s) => {
    const taken = memberOf.get(s.id);
    return { value: s.id, label: taken ? `${s.name} (in complex ${taken})` : s.name, disabled: taken !== undefined };
  });
  const text = (path: string) => values[path] ?? '';

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const c = lines(contacts);
    const w = lines(webhooks);
    const body: Record<string, unknown> = { name: text('/name').trim(), serial: text('/serial').trim(), systems: chosen, rights: {}, exhaustionAction: exhaustion };
    if (c.length) body.contacts = c;
    if (w.length) body.webhooks = w;
    const unparsed: FieldErrors = {};
    for (const f of DECLARE_FIELDS) {
      const t = text(f.path).trim();
      if (t === '') continue;
      try {
        setAt(body, f.path, f.duration ? parseDuration(t) : parseCount(t));
      } catch (err) {
        unparsed[f.path] = (err as Error).message;
      }
    }
    const checked = schemaErrors(CreateComplexRequest, body);
    // A value that could not be read is not in the body: the schema's "Required." would mislead.
    for (const k of Object.keys(unparsed)) delete checked[k];
    const found = { ...checked, ...contactErrors(checked, c, w), ...unparsed };
    return run(form, found, async () => {
      const v = await call(routes.capacity.create, { body: checkedBody(routes.capacity.create, body) });
      finish(onDone, onClose, `Complex ${v.name} declared: ${v.cores.rights} core usage ${v.cores.rights === 1 ? 'right' : 'rights'} on ${v.systems.map((s) => s.name).join(', ')}.`);
    }, (err) => {
      const s = serverErrors(err);
      setErrors({ ...s, ...contactErrors(s, c, w) });
      focusInvalid(form);
    });
  };

  // Messages about no field of the form (e.g. one system named twice) join the form's own.
  const shown = new Set(['', '/name', '/serial', '/systems', '/exhaustionAction', ...DECLARE_FIELDS.map((f) => f.path)]);
  const stray = Object.entries(errors).filter(([k]) => !shown.has(k) && !k.startsWith('/contacts') && !k.startsWith('/webhooks') && !k.startsWith('/systems/'));
  const formError = [errors[''], ...stray.map(([k, m]) => `${k.slice(1)}: ${m}`)].filter(Boolean).join(' ') || undefined;
  const field = (f: (typeof DECLARE_FIELDS)[number]) => (
    <Field key={f.path} label={f.label} hint={f.hint} error={errors[f.path]}>
      <input value={text(f.path)} onChange={(e) => setValues({ ...values, [f.path]: e.target.value })} inputMode={f.duration ? undefined : 'numeric'} autoComplete="off" />
    </Field>
  );

  return (
    <Dialog title="Declare a complex" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>A complex is one hardware serial with its usage rights. Its rights start active, spread over its systems.</p>
        <Field label="Name" error={errors['/name']}>
          <input value={text('/name')} onChange={(e) => setValues({ ...values, '/name': e.target.value })} autoComplete="off" />
        </Field>
        <Field label="Serial" hint="The hardware serial its codewords are issued for." error={errors['/serial']}>
          <input value={text('/serial')} onChange={(e) => setValues({ ...values, '/serial': e.target.value })} autoComplete="off" spellCheck={false} />
        </Field>
        <CheckboxGroup
          legend="Systems"
          hint="A system belongs to one complex at most."
          error={errors['/systems'] ?? Object.entries(errors).find(([k]) => k.startsWith('/systems/'))?.[1]}
          choices={choices}
          selected={chosen}
          onChange={setChosen}
          empty={systems.data ? 'No managed system: add one first.' : 'Loading systems…'}
        />
        <fieldset className="field-set">
          <legend>Usage rights</legend>
          {DECLARE_FIELDS.slice(0, 3).map(field)}
        </fieldset>
        <fieldset className="field-set">
          <legend>Installed components</legend>
          {DECLARE_FIELDS.slice(3, 6).map(field)}
        </fieldset>
        <fieldset className="field-set">
          <legend>Temporary capacity</legend>
          {DECLARE_FIELDS.slice(6).map(field)}
          <Field label="When temporary capacity runs out" error={errors['/exhaustionAction']}>
            <select value={exhaustion} onChange={(e) => setExhaustion(e.target.value)}>
              {EXHAUSTION_CHOICES.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
          </Field>
        </fieldset>
        <fieldset className="field-set">
          <legend>Contacts</legend>
          <ContactFields contacts={contacts} webhooks={webhooks} setContacts={setContacts} setWebhooks={setWebhooks} errors={errors} />
        </fieldset>
        <DialogButtons error={formError} submit="Declare" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
