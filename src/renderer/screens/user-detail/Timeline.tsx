import type { AuditEventView } from '../../../shared/api/admin';
import { useOperatorNames } from '../../hooks/use-operator-names';
import { actorOf, describeEvent, ticketOf } from '../../i18n/event-words';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';

/** Recent events as sentences, newest first, with who did it and the ticket of support actions. */
export function Timeline({ events, now }: { events: readonly AuditEventView[]; now: number }) {
  const { t, locale } = useI18n();
  const time = timeFormat(locale);
  const operators = useOperatorNames();
  if (!events.length) return <p className="muted">{t('detail.eventsNone')}</p>;
  return (
    <ol className="timeline" data-testid="user-timeline">
      {events.map((event) => {
        const ticket = ticketOf(event);
        return (
          <li key={event.id}>
            <time dateTime={event.at} title={time.dateTime(event.at)}>
              {time.relative(event.at, now)}
            </time>
            <span className="timeline-what">{describeEvent(event, t)}</span>
            <span className="muted">{actorOf(event, t, operators)}</span>
            {ticket ? (
              <span className="timeline-ticket">
                {t('audit.ticket', { ticket: ticket.ticket })}
                {ticket.reason ? ` · ${ticket.reason}` : ''}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
