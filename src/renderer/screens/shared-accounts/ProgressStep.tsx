import type { BreakupMemberView, BreakupView } from '../../../shared/api/tenant-admin';
import type { MemberLine } from '../../../shared/tenant-admin/member-lines';
import { ConsoleCallError } from '../../bridge/console-client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useNow } from '../../components/use-now';
import { useI18n } from '../../i18n/I18nProvider';
import type { BreakupDraft } from './wizard-store';
import { counts, languageKey, sharedAccountSentence } from './words';

type MemberState = BreakupMemberView['state'];
const stateKey = { pending: 'breakup.member.pending', created: 'breakup.member.created', failed: 'breakup.member.failed' } as const;

/**
 * Step 4: each person's account as the server reports it (created, failed with why, or waiting),
 * what becomes of the shared account, and, after a partial failure or a call that got no answer,
 * exactly what exists and "Finish the rest": the same request with the same key, which creates
 * only what is missing.
 */
export function ProgressStep({
  draft,
  view,
  onFinishRest,
  onDone,
  onOpenUser,
}: {
  draft: BreakupDraft;
  /** The break-up as the server last reported it (its answer, or the list while a call is out). */
  view: BreakupView | null;
  onFinishRest(): void;
  onDone(): void;
  onOpenUser(id: string): void;
}) {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const lines: readonly MemberLine[] = draft.sent?.members ?? [];
  const members: Array<Pick<BreakupMemberView, 'name' | 'email' | 'locale' | 'state' | 'error' | 'userId'> & { key: number }> = view
    ? view.members.map((m) => ({ ...m, key: m.position }))
    : lines.map((line, index) => ({
        key: index,
        name: line.name.trim(),
        email: line.email.trim().toLowerCase(),
        locale: line.locale ?? 'en',
        state: 'pending' as MemberState,
        error: null,
        userId: null,
      }));
  const tally = view ? counts(view) : { created: 0, failed: 0, pending: members.length, total: members.length };
  const complete = view?.state === 'completed';
  const canFinish = !draft.running && !complete && (draft.runError !== null || view?.state === 'in_progress');
  let status: string;
  if (draft.running) status = t('breakup.progress.running', { created: tally.created, total: tally.total });
  else if (complete) status = t('breakup.progress.completed', { count: tally.total });
  else if (draft.runError)
    status = view ? t('breakup.progress.afterError', { created: tally.created, total: tally.total }) : t('breakup.progress.unknown');
  else if (view) status = t('breakup.progress.partial', { created: tally.created, total: tally.total, failed: tally.failed });
  else status = t('breakup.progress.unknown');
  return (
    <div className="wizard-step" data-testid="breakup-progress" aria-busy={draft.running}>
      <h2 id="wizard-step-title" tabIndex={-1}>
        {t('breakup.progress.title')}
      </h2>
      {draft.runError ? <ErrorMessage error={new ConsoleCallError(draft.runError.code, '', draft.runError.detail)} /> : null}
      <progress
        max={Math.max(1, tally.total)}
        value={tally.created}
        aria-label={t('breakup.progress.bar', { created: tally.created, total: tally.total })}
      />
      <p role="status" className={complete ? 'message message-info' : 'progress-status'} data-testid="breakup-status">
        {status}
      </p>
      <ul className="progress-members" aria-label={t('breakup.progress.people')}>
        {members.map((member) => (
          <li key={member.key} data-testid="breakup-member" data-state={member.state} data-email={member.email}>
            <span className={`badge member-${member.state}`}>{t(stateKey[member.state])}</span>
            <span className="member-who">
              {member.state === 'created' && member.userId ? (
                <button type="button" className="link-button" onClick={() => onOpenUser(member.userId!)}>
                  {member.name}
                </button>
              ) : (
                <strong>{member.name}</strong>
              )}{' '}
              <span>{member.email}</span>
            </span>
            {member.state === 'created' ? (
              <small className="muted">{t('breakup.member.invited', { language: t(languageKey[member.locale]) })}</small>
            ) : null}
            {member.state === 'failed' ? (
              <small className="field-problem" data-testid="breakup-member-error">
                {t('breakup.member.error', { error: member.error ?? '' })}
              </small>
            ) : null}
          </li>
        ))}
      </ul>
      {view ? <p data-testid="breakup-shared">{sharedAccountSentence(view, t, locale, now)}</p> : null}
      {canFinish ? <p className="muted">{t('breakup.progress.finishHint')}</p> : null}
      <div className="actions wizard-nav">
        {canFinish ? (
          <button type="button" className="primary" onClick={onFinishRest} data-testid="breakup-finish">
            {t('breakup.progress.finish')}
          </button>
        ) : null}
        <button type="button" className={complete ? 'primary' : undefined} onClick={onDone} data-testid="breakup-done">
          {t('breakup.backToList')}
        </button>
      </div>
    </div>
  );
}
