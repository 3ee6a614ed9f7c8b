// Instant capacity settings: the codeword issuers this manager trusts (added here, or
// configured in manager.json, which only the file can remove) and whether deploying a WPAR
// onto a system short of active capacity is refused or only warned about. Everyone with the
// console reads them; administrators change them.
import { useState, type FormEvent } from 'react';
import {
  AddIssuerKeyRequest,
  CapacitySettings,
  DEPLOY_CHECK_MODES,
  ISSUER_PUBLIC_KEY,
  type DeployCheckMode,
  type IssuerKeyView,
} from '../../../../src/api/capacity.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, checkedBody } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { Field, FormError } from '../../components/Field.js';
import { LoadError } from '../../components/LoadError.js';
import { ConfirmDialog, ResourceForm } from '../../components/ResourceForm.js';
import { announce } from '../../lib/announce.js';
import { formatTime } from '../../lib/format.js';
import { useFormSubmit } from '../../lib/use-form-submit.js';
import { usePoll } from '../../lib/usePoll.js';
import { schemaErrors } from '../../lib/validation.js';

const DEPLOY_CHECK_LABELS: Record<DeployCheckMode, string> = {
  refuse: 'Refuse the deployment',
  warn: 'Allow it, and send a warning notification',
};

/**
 * The key as `capstan codeword keygen` prints it ("ed25519:" may be left out, as the manager
 * allows). Checked here so a pasting slip is named beside the field before anything is sent.
 */
function publicKeyOf(text: string): string {
  const t = text.trim();
  if (!ISSUER_PUBLIC_KEY.test(t)) throw new Error('Must be "ed25519:" followed by 43 base64url characters (letters, digits, "-" and "_").');
  return t;
}

function DeployCheckForm({ current, mayManage, onSaved }: { current: DeployCheckMode; mayManage: boolean; onSaved: (s: CapacitySettings) => void }) {
  const [mode, setMode] = useState<DeployCheckMode>(current);
  const { errors, busy, run } = useFormSubmit();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body: CapacitySettings = { deployCheck: mode };
    return run(e.currentTarget, schemaErrors(CapacitySettings, body), async () => onSaved(await call(routes.capacity.setSettings, { body })));
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="deploy-check-title">
      <Field
        label="Deploying a WPAR onto a system short of active capacity"
        hint="Systems in no complex are not checked."
        error={errors['/deployCheck']}
      >
        <select value={mode} disabled={!mayManage} onChange={(e) => setMode(e.target.value as DeployCheckMode)}>
          {DEPLOY_CHECK_MODES.map((m) => <option key={m} value={m}>{DEPLOY_CHECK_LABELS[m]}</option>)}
        </select>
      </Field>
      <FormError message={errors['']} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={!mayManage || busy}>Save</button>
      </div>
    </form>
  );
}

export default function CapacitySettingsView() {
  const mayManage = useSession().can('system.manage');
  const issuers = usePoll(() => call(routes.capacity.issuers), [], 10_000);
  const settings = usePoll(() => call(routes.capacity.settings), [], 10_000);
  const [open, setOpen] = useState<{ kind: 'add' } | { kind: 'remove'; key: IssuerKeyView } | null>(null);
  const [notice, setNotice] = useState('');
  const say = (message: string) => {
    announce(message);
    setNotice(message);
  };

  const columns: Column<IssuerKeyView>[] = [
    { key: 'name', header: 'Name', cell: (k) => k.name, sortValue: (k) => k.name },
    { key: 'key', header: 'Public key', cell: (k) => <code className="flags">{k.publicKey}</code> },
    { key: 'id', header: 'Key id', cell: (k) => <code>{k.id}</code>, sortValue: (k) => k.id },
    { key: 'source', header: 'Source', cell: (k) => (k.source === 'config' ? 'manager.json' : 'added here'), sortValue: (k) => k.source },
    { key: 'added', header: 'Added', cell: (k) => (k.createdAt ? formatTime(k.createdAt) : '—'), sortValue: (k) => k.createdAt ?? '' },
    {
      key: 'actions',
      header: 'Actions',
      // A configured key lives in the manager's file: the API cannot remove it, so neither can this page.
      cell: (k) => (k.source === 'config'
        ? <span>Configured in manager.json: remove it there</span>
        : <button type="button" disabled={!mayManage} aria-label={`Remove issuer ${k.name}`} onClick={() => setOpen({ kind: 'remove', key: k })}>Remove</button>),
    },
  ];

  return (
    <section aria-labelledby="capacity-settings-title">
      <p><Link to="/capacity">Instant capacity</Link> › Settings</p>
      <h1 id="capacity-settings-title">Capacity settings</h1>
      {notice && <p role="status" className="notice">{notice}</p>}

      <h2>Codeword issuers</h2>
      <p className="hint">
        A codeword is applied only when it is signed by an issuer this manager trusts. Trust an issuer by its public
        key, as <code>capstan codeword keygen</code> prints it.
      </p>
      <div role="toolbar" aria-label="Actions on codeword issuers" className="toolbar">
        <button type="button" disabled={!mayManage} onClick={() => setOpen({ kind: 'add' })}>Add issuer key</button>
      </div>
      <LoadError error={issuers.error} />
      <DataTable caption="Trusted codeword issuers" rows={issuers.data?.items ?? []} columns={columns} rowKey={(k) => k.id} empty={issuers.data ? 'No issuer is trusted: every codeword is refused.' : 'Loading…'} />

      <h2 id="deploy-check-title">Deployment check</h2>
      <LoadError error={settings.error} />
      {settings.data
        // Keyed by the saved value: a change saved here or elsewhere shows, an unsaved choice stays otherwise.
        ? <DeployCheckForm key={settings.data.deployCheck} current={settings.data.deployCheck} mayManage={mayManage} onSaved={(s) => {
          say(`Saved: deploying onto a system short of active capacity is ${s.deployCheck === 'refuse' ? 'refused' : 'allowed with a warning'}.`);
          settings.reload();
        }} />
        : !settings.error && <p role="status">Loading…</p>}

      {open?.kind === 'add' && (
        <ResourceForm
          title="Trust a codeword issuer"
          schema={AddIssuerKeyRequest}
          fields={[
            { key: 'name', label: 'Name' },
            { key: 'publicKey', label: 'Public key', hint: 'ed25519: followed by 43 base64url characters.', parse: publicKeyOf },
          ]}
          initial={{ name: '', publicKey: '' }}
          submitLabel="Add"
          onSubmit={async (body) => {
            const k = await call(routes.capacity.addIssuer, { body: checkedBody(routes.capacity.addIssuer, body) });
            say(`Issuer ${k.name} trusted (key id ${k.id}).`);
            issuers.reload();
          }}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'remove' && (
        <ConfirmDialog
          title={`Stop trusting ${open.key.name}`}
          message="Codewords signed with this key are refused from now on; those already applied stay applied."
          confirmLabel="Remove"
          onConfirm={async () => {
            await call(routes.capacity.removeIssuer, { params: { id: open.key.id } });
            say(`Issuer ${open.key.name} is no longer trusted.`);
            issuers.reload();
          }}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
