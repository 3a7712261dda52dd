import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ticketAndReasonProblems } from './ticket-and-reason';
import { ticketAndReasonLimits as limits } from '../../shared/api/admin';
import { ErrorMessage } from './ErrorMessage';
import { Dialog } from './Dialog';
import { useI18n } from '../i18n/I18nProvider';
import { useUiStore } from '../state/ui-store';

export interface TicketAndReason {
  ticket: string;
  reason: string;
}

/** A labelled control whose problem, once there is one, is shown under it and tied to it for screen readers. */
function CheckedField({
  id,
  label,
  problem,
  children,
}: {
  id: string;
  label: string;
  problem: string | null;
  children: (aria: { 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ 'aria-invalid': problem !== null, 'aria-describedby': problem ? `${id}-problem` : undefined })}
      {problem ? (
        <small id={`${id}-problem`} className="field-problem">
          {problem}
        </small>
      ) : null}
    </div>
  );
}

/**
 * The frame of every support action: says what will happen before it happens, asks for the ticket
 * and the reason (both land in the audit trail and the user's page), sends once, and shows the
 * server's refusal in words. `result`, once set, replaces the form (what the action gave back).
 */
export function ActionDialog(props: {
  title: string;
  /** What will happen, in words, before the operator confirms. */
  consequence: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: (input: TicketAndReason) => void;
  onClose: () => void;
  result?: ReactNode;
  testId?: string;
  /** Whom the action is for (a user id, or the set of a bulk action): the ticket is offered again only for the same. */
  subject: string;
}) {
  const { t } = useI18n();
  const lastTicket = useUiStore((state) => state.lastTicket);
  const setLastTicket = useUiStore((state) => state.setLastTicket);
  // The ticket of the last action on the same user (one caller, one ticket); another user starts empty.
  const [ticket, setTicket] = useState(lastTicket && lastTicket.subject === props.subject ? lastTicket.ticket : '');
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const ids = { ticket: useId(), reason: useId(), consequence: useId() };
  const ticketField = useRef<HTMLInputElement>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const problems = ticketAndReasonProblems(ticket, reason);
  const ticketProblem = problems.ticket && t(problems.ticket);
  const reasonProblem = problems.reason && t(problems.reason);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    // The first field that needs fixing gets the focus (and its message is read with it).
    if (ticketProblem) return ticketField.current?.focus();
    if (reasonProblem) return reasonField.current?.focus();
    if (props.pending) return;
    setLastTicket({ subject: props.subject, ticket: ticket.trim() });
    props.onConfirm({ ticket: ticket.trim(), reason: reason.trim() });
  };
  return (
    // While the action is on its way the dialog stays: its answer (new recovery codes) has nowhere else to go.
    <Dialog
      title={props.title}
      onClose={props.pending ? () => {} : props.onClose}
      testId={props.testId ?? 'action-dialog'}
      describedBy={props.result ? undefined : ids.consequence}
    >
      {props.result ? (
        <>
          {props.result}
          <div className="actions">
            <button type="button" className="primary" onClick={props.onClose} autoFocus>
              {t('action.close')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <div id={ids.consequence} className="message message-info">
            {props.consequence}
          </div>
          <CheckedField id={ids.ticket} label={t('action.ticket')} problem={tried ? ticketProblem : null}>
            {(aria) => (
              <input
                id={ids.ticket}
                ref={ticketField}
                value={ticket}
                onChange={(event) => setTicket(event.target.value)}
                autoFocus
                autoComplete="off"
                maxLength={limits.ticketMax}
                {...aria}
              />
            )}
          </CheckedField>
          <CheckedField id={ids.reason} label={t('action.reason')} problem={tried ? reasonProblem : null}>
            {(aria) => (
              <textarea
                id={ids.reason}
                ref={reasonField}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                rows={2}
                maxLength={limits.reasonMax}
                {...aria}
              />
            )}
          </CheckedField>
          <ErrorMessage error={props.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={props.pending} aria-busy={props.pending} data-testid="action-confirm">
              {props.pending ? t('action.working') : props.confirmLabel}
            </button>
            <button type="button" onClick={props.onClose} disabled={props.pending}>
              {t('action.cancel')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
