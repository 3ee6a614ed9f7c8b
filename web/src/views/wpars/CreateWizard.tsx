// The Create WPAR wizard, step by step, each step checked against the shared schema before
// the next. With ?from=<WPAR> it starts from that WPAR as a template, to review and change.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { WparView } from '../../../../src/api/wpar.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { navigate, useLocation } from '../../app/router.js';
import { FormError } from '../../components/Field.js';
import { PropertyList } from '../../components/PropertyList.js';
import { focusInvalid, useFormSubmit } from '../../lib/use-form-submit.js';
import { serverErrors } from '../../lib/validation.js';
import { useChoices } from './choices.js';
import { DeploymentFields, GeneralFields, MountFields, NetworkFields, ResourceFields } from './SpecFields.js';
import { draftFrom, emptyDraft, toRequest, validateDraft, type SpecDraft } from './spec-draft.js';
import { createWpar } from './submit.js';

interface Step {
  title: string;
  /** The field paths this step owns (by prefix), so its errors keep it from moving on. */
  owns: string[];
}

const STEPS: Step[] = [
  { title: 'General', owns: ['/name', '/type', '/command', '/hostname', '/image', '/group', '/checkpointable'] },
  { title: 'Network', owns: ['/interfaces'] },
  { title: 'Resource controls', owns: ['/resources'] },
  { title: 'File systems', owns: ['/mounts'] },
  { title: 'Deployment', owns: ['/system', '/start'] },
  { title: 'Summary', owns: [] },
];

const stepOf = (path: string) => {
  const i = STEPS.findIndex((s) => s.owns.some((p) => path === p || path.startsWith(`${p}/`)));
  return i < 0 ? STEPS.length - 1 : i;
};

export default function CreateWizard() {
  const { query } = useLocation();
  const from = query.get('from');
  const { groups, systems } = useChoices();
  const [draft, setDraft] = useState<SpecDraft>(emptyDraft);
  const [template, setTemplate] = useState<WparView | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [step, setStep] = useState(0);
  const { errors, setErrors, busy, run } = useFormSubmit();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!from) return;
    call(routes.wpars.get, { params: { id: from } }).then(
      (w) => {
        setTemplate(w);
        setDraft(draftFrom(w));
      },
      (e: unknown) => setLoadError(serverErrors(e)[''] ?? 'The template could not be read.'),
    );
  }, [from]);

  const set = (change: Partial<SpecDraft>) => setDraft((d) => ({ ...d, ...change }));

  const goTo = (i: number) => {
    setStep(i);
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  const next = () => {
    const all = validateDraft(draft);
    const mine = Object.fromEntries(Object.entries(all).filter(([p]) => stepOf(p) === step));
    setErrors(mine);
    if (Object.keys(mine).length > 0) return focusInvalid(formRef.current);
    goTo(step + 1);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS.length - 1) return next();
    const all = validateDraft(draft);
    if (Object.keys(all).length > 0) goTo(Math.min(...Object.keys(all).map(stepOf)));
    return run(null, all, async () => {
      const task = await createWpar(toRequest(draft));
      navigate(`/tasks/${task.id}`);
    }, (err) => {
      const found = serverErrors(err);
      setErrors(found);
      const first = Math.min(...Object.keys(found).map(stepOf));
      if (first !== step) goTo(first);
      else focusInvalid(formRef.current);
    });
  };

  const fields = { draft, set, errors };
  const title = template ? `Create a WPAR from ${template.name}` : 'Create a WPAR';

  return (
    <section aria-labelledby="wizard-title">
      <h1 id="wizard-title">{title}</h1>
      {loadError && <p role="alert" className="form-error">{loadError}</p>}
      <nav aria-label="Wizard steps">
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s.title} aria-current={i === step ? 'step' : undefined} className={i === step ? 'current' : i < step ? 'done' : undefined}>
              {i < step ? <button type="button" className="link-button" onClick={() => goTo(i)}>{s.title}</button> : s.title}
            </li>
          ))}
        </ol>
      </nav>
      <form ref={formRef} onSubmit={(e) => void submit(e)} noValidate className="card">
        <h2 ref={headingRef} tabIndex={-1}>Step {step + 1} of {STEPS.length}: {STEPS[step]!.title}</h2>
        {step === 0 && <GeneralFields {...fields} groups={groups} />}
        {step === 1 && <NetworkFields {...fields} />}
        {step === 2 && <ResourceFields {...fields} />}
        {step === 3 && <MountFields {...fields} />}
        {step === 4 && <DeploymentFields {...fields} systems={systems} />}
        {step === 5 && <PropertyList label="The WPAR to create" value={toRequest(draft)} />}
        <FormError message={errors['']} />
        <div className="buttons">
          {step > 0 && <button type="button" onClick={() => goTo(step - 1)}>Back</button>}
          {step < STEPS.length - 1 ? (
            <button type="submit" className="primary">Next</button>
          ) : (
            <button type="submit" className="primary" disabled={busy}>Create</button>
          )}
          <button type="button" onClick={() => navigate('/wpars')}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
