import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import type { ConsoleInput } from '../../../shared/console-api';
import { memberLocales } from '../../../shared/tenant-admin/member-lines';
import { ConsoleCallError } from '../../bridge/console-client';
import { useTenants, useUser } from '../../hooks/use-admin-data';
import { queryKeys } from '../../hooks/query-keys';
import { useBreakup, useRunBreakup, useSharedAccounts } from '../../hooks/use-shared-accounts';
import { useI18n } from '../../i18n/I18nProvider';
import { useUiStore } from '../../state/ui-store';
import { isBlank, lineOf, startOfLocalDay } from './people';
import { PeopleStep } from './PeopleStep';
import { PreviewStep } from './PreviewStep';
import { ProgressStep } from './ProgressStep';
import { WhenStep } from './WhenStep';
import { useWizardStore, wizardSteps, type BreakupDraft, type MemberLocale, type WizardStep } from './wizard-store';

const stepKey = {
  people: 'breakup.step.people',
  when: 'breakup.step.when',
  preview: 'breakup.step.preview',
  progress: 'breakup.step.progress',
} as const;

/**
 * The break-up of one shared account into personal accounts, in four steps: the people, when the
 * shared account stops, a preview with ticket and reason, and the progress per person. The draft
 * lives in the wizard store, so the operator can look elsewhere and come back to the same break-up
 * (the same idempotency key); a try runs on even if they do.
 */
export function BreakupWizard({ id }: { id: string }) {
  const { t } = useI18n();
  const draft = useWizardStore((state) => state.drafts[id]);
  const close = useWizardStore((state) => state.close);
  const discard = useWizardStore((state) => state.discard);
  const storeUpdate = useWizardStore((state) => state.update);
  const update = useCallback((change: Parameters<typeof storeUpdate>[1]) => storeUpdate(id, change), [storeUpdate, id]);
  const openUser = useUiStore((state) => state.openUser);
  const queryClient = useQueryClient();
  const { run } = useRunBreakup();
  // The shared account's language: the invitations' unless the operator picks another per person.
  const detail = useUser(id);
  const userLocale = detail.data?.user.locale;
  const sharedLocale = memberLocales.find((code) => code === userLocale) as MemberLocale | undefined;
  // The tenant's country: the people's phones typed the national way read as the server reads them.
  const tenants = useTenants();
  const country = tenants.data?.items.find((tenant) => tenant.id === draft?.account.tenantId)?.country ?? undefined;
  const onProgress = draft?.step === 'progress';
  const watching = onProgress && (draft.running || draft.runError !== null);
  // While a try is out (or after one that got no answer) the list says what the server has made so far.
  const list = useSharedAccounts(
    { tenantId: draft?.account.tenantId },
    { enabled: watching, refetchInterval: draft?.running ? 1000 : false },
  );
  const live = useBreakup(onProgress ? (draft.result?.id ?? null) : null, onProgress ? 30_000 : false);
  const listed = list.data?.items.find((item) => item.user.id === id)?.breakup ?? null;
  const fromList = listed && listed.id !== draft?.earlierBreakupId ? listed : null;
  const view = (watching ? (fromList ?? live.data) : live.data) ?? draft?.result ?? fromList ?? null;

  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // Each step's heading takes the focus, so a screen reader starts reading where the new step starts.
  const step = draft?.step;
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    requestAnimationFrame(() => document.getElementById('wizard-step-title')?.focus());
  }, [step]);

  if (!draft) return null;
  const { account } = draft;
  const go = (to: WizardStep) => update({ step: to });

  const send = async (request: ConsoleInput<'breakups:run'>) => {
    const hadResult = useWizardStore.getState().drafts[id]?.result !== null;
    update({ sent: request, step: 'progress', running: true, runError: null, refused: false });
    try {
      const answer = await run(request);
      if (answer) {
        update({ running: false, result: answer, runError: null });
        queryClient.setQueryData(queryKeys.breakup(answer.id), answer);
      }
    } catch (error) {
      const code = error instanceof ConsoleCallError ? error.code : 'internal';
      const detailText = error instanceof ConsoleCallError ? (error.detail ?? '') : '';
      if (code === 'invalid_input' && !hadResult) {
        // The server found a problem the check had not (an email taken meanwhile): nothing was created.
        update({ running: false, sent: null, step: 'people', refused: true });
        void queryClient.invalidateQueries({ queryKey: queryKeys.sharedAccountsAll });
        return;
      }
      update({ running: false, runError: { code, detail: detailText } });
      void live.refetch();
    }
  };
  const confirm = ({ ticket, reason }: { ticket: string; reason: string }) => {
    const members = draft.rows.filter((row) => !isBlank(row)).map((row) => lineOf(row, sharedLocale));
    void send({
      id,
      idempotencyKey: draft.idempotencyKey,
      members,
      disableAt: draft.when === 'date' ? startOfLocalDay(draft.date) : null,
      ticket,
      reason,
    });
  };
  const finishRest = () => {
    // The button goes while the try is out: the focus waits on the step's heading, above the news.
    document.getElementById('wizard-step-title')?.focus();
    if (draft.sent) void send(draft.sent);
  };
  const leave = () => {
    if (view?.state === 'completed' && !draft.running) discard(id);
    else close();
  };
  const cancel = () => {
    if (!draft.sent && !draft.result) discard(id);
    else close();
  };
  const current = wizardSteps.indexOf(draft.step);
  return (
    <section aria-labelledby="breakup-title" className="breakup-wizard" data-testid="breakup-wizard">
      <button type="button" className="link-button back" onClick={leave} data-testid="wizard-back-to-list">
        ← {t('breakup.backToList')}
      </button>
      <h1 id="breakup-title" ref={heading} tabIndex={-1}>
        {t('breakup.title', { email: account.email })}
      </h1>
      <p className="muted">{t('breakup.subtitle', { name: account.name, tenant: account.tenantName })}</p>
      <ol className="wizard-steps" aria-label={t('breakup.steps')}>
        {wizardSteps.map((name, index) => (
          <li
            key={name}
            aria-current={name === draft.step ? 'step' : undefined}
            className={index < current ? 'done' : name === draft.step ? 'current' : undefined}
          >
            <span className="wizard-step-number" aria-hidden="true">
              {index + 1}
            </span>
            <span>{t(stepKey[name])}</span>
          </li>
        ))}
      </ol>
      {detail.isPending || tenants.isPending ? <p className="muted">{t('breakup.loading')}</p> : null}
      {!detail.isPending && !tenants.isPending ? renderStep(draft) : null}
    </section>
  );

  // A call, not a component: a component made here would be a new type at every render, and its
  // inputs would lose the focus at every key.
  function renderStep(draft: BreakupDraft) {
    switch (draft.step) {
      case 'people':
        return (
          <PeopleStep
            draft={draft}
            update={update}
            sharedLocale={sharedLocale}
            country={country}
            onNext={() => go('when')}
            onCancel={cancel}
          />
        );
      case 'when':
        return <WhenStep draft={draft} update={update} onBack={() => go('people')} onNext={() => go('preview')} />;
      case 'preview':
        return (
          <PreviewStep
            draft={draft}
            update={update}
            sharedLocale={sharedLocale}
            country={country}
            onBack={() => go('when')}
            onConfirm={confirm}
          />
        );
      case 'progress':
        return <ProgressStep draft={draft} view={view} onFinishRest={finishRest} onDone={leave} onOpenUser={openUser} />;
    }
  }
}
