import { useId, useRef, useState, type FormEvent } from 'react';
import { ticketAndReasonProblems } from '../../components/ticket-and-reason';
import { ticketAndReasonLimits as limits } from '../../../shared/api/admin';
import { checkMemberLines } from '../../../shared/tenant-admin/member-lines';
import { useI18n } from '../../i18n/I18nProvider';
import { useUiStore } from '../../state/ui-store';
import { isBlank, lineOf, startOfLocalDay } from './people';
import type { BreakupDraft, MemberLocale } from './wizard-store';
import { languageKey, moment } from './words';

/**
 * Step 3: what will happen, in words, before anything does: who gets an account and an invitation
 * in which language, and when the shared account stops working. Then the ticket and the reason
 * (both land in the audit trail with the break-up) and Confirm.
 */
export function PreviewStep({
  draft,
  update,
  sharedLocale,
  country,
  onBack,
  onConfirm,
}: {
  draft: BreakupDraft;
  update(change: Partial<BreakupDraft>): void;
  sharedLocale: MemberLocale | undefined;
  /** The tenant's country: phones typed the national way read as there. */
  country: string | undefined;
  onBack(): void;
  onConfirm(input: { ticket: string; reason: string }): void;
}) {
  const { t, locale } = useI18n();
  const { account } = draft;
  const lastTicket = useUiStore((state) => state.lastTicket);
  const setLastTicket = useUiStore((state) => state.setLastTicket);
  const [ticket, setTicket] = useState(draft.ticket || (lastTicket?.subject === account.id ? lastTicket.ticket : ''));
  const [reason, setReason] = useState(draft.reason);
  const [tried, setTried] = useState(false);
  const ids = { ticket: useId(), reason: useId() };
  const ticketField = useRef<HTMLInputElement>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const lines = draft.rows.filter((row) => !isBlank(row)).map((row) => lineOf(row, sharedLocale));
  const people = checkMemberLines(lines, account.email, country);
  const disableAt = draft.when === 'date' ? startOfLocalDay(draft.date) : null;
  const problems = ticketAndReasonProblems(ticket, reason);
  const ticketProblem = problems.ticket && t(problems.ticket);
  const reasonProblem = problems.reason && t(problems.reason);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (ticketProblem) return ticketField.current?.focus();
    if (reasonProblem) return reasonField.current?.focus();
    setLastTicket({ subject: account.id, ticket: ticket.trim() });
    onConfirm({ ticket: ticket.trim(), reason: reason.trim() });
  };
  const keep = () => update({ ticket, reason });
  return (
    <div className="wizard-step" data-testid="breakup-preview">
      <h2 id="wizard-step-title" tabIndex={-1}>
        {t('breakup.preview.title')}
      </h2>
      <div className="preview" data-testid="breakup-preview-summary">
        <p>{t('breakup.preview.accounts', { count: people.length })}</p>
        <ul className="preview-people">
          {people.map((person, index) => (
            <li key={index} data-testid="preview-person">
              <strong>{person.name}</strong>
              {': '}
              {t('breakup.preview.invitation', {
                email: person.email,
                language: t(languageKey[person.locale ?? sharedLocale ?? 'en']),
              })}
              {person.phone ? ` ${t('breakup.preview.phone', { phone: person.phone })}` : ''}
            </li>
          ))}
        </ul>
        <p>{t('breakup.preview.link')}</p>
        <p className="message message-warning" data-testid="preview-shared">
          {disableAt
            ? t('breakup.preview.disableOn', { email: account.email, when: moment(disableAt, t, locale) })
            : t('breakup.preview.disableNow', { email: account.email })}
        </p>
        <p className="muted">{t('breakup.preview.safe')}</p>
      </div>
      <form onSubmit={submit} noValidate className="preview-form">
        <div className="field">
          <label htmlFor={ids.ticket}>{t('action.ticket')}</label>
          <input
            id={ids.ticket}
            ref={ticketField}
            value={ticket}
            onChange={(event) => setTicket(event.target.value)}
            onBlur={keep}
            autoComplete="off"
            maxLength={limits.ticketMax}
            aria-invalid={tried && ticketProblem !== null}
            aria-describedby={tried && ticketProblem ? `${ids.ticket}-problem` : undefined}
          />
          {tried && ticketProblem ? (
            <small id={`${ids.ticket}-problem`} className="field-problem">
              {ticketProblem}
            </small>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>{t('action.reason')}</label>
          <textarea
            id={ids.reason}
            ref={reasonField}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            onBlur={keep}
            rows={2}
            maxLength={limits.reasonMax}
            aria-invalid={tried && reasonProblem !== null}
            aria-describedby={tried && reasonProblem ? `${ids.reason}-problem` : undefined}
          />
          {tried && reasonProblem ? (
            <small id={`${ids.reason}-problem`} className="field-problem">
              {reasonProblem}
            </small>
          ) : null}
        </div>
        <div className="actions wizard-nav">
          <button type="submit" className="primary" data-testid="breakup-confirm">
            {t('breakup.preview.confirm')}
          </button>
          <button
            type="button"
            onClick={() => {
              keep();
              onBack();
            }}
          >
            {t('breakup.back')}
          </button>
        </div>
      </form>
    </div>
  );
}
