import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { useNow } from '../components/use-now';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { useAudit, useOperators } from '../hooks/use-admin-data';
import { useOperatorNames } from '../hooks/use-operator-names';
import { actorOf, describeEvent, knownActions, ticketOf } from '../i18n/event-words';
import { useI18n } from '../i18n/I18nProvider';
import { timeFormat } from '../i18n/time-format';
import { noAuditFilters, useUiStore, type AuditFilters } from '../state/ui-store';
import { useAuditExport } from './audit/use-audit-export';

/** `datetime-local` (the operator's zone) -> ISO instant, or nothing. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function toQuery(filters: AuditFilters) {
  return {
    ...(filters.user ? { userId: filters.user.id } : {}),
    ...(filters.actorId ? { actorId: filters.actorId } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(instant(filters.from) ? { from: instant(filters.from) } : {}),
    ...(instant(filters.to) ? { to: instant(filters.to) } : {}),
  };
}

/**
 * The audit trail, newest first: filters (user, operator, event, time range), more pages as the
 * operator scrolls, each event in words with its ticket and reason, and the filtered view as CSV.
 */
export function AuditScreen() {
  const { t, locale } = useI18n();
  const filters = useUiStore((state) => state.auditFilters);
  const setFilters = useUiStore((state) => state.setAuditFilters);
  const openUser = useUiStore((state) => state.openUser);
  const query = toQuery(filters);
  const audit = useAudit({ ...query, limit: 50 });
  const exporter = useAuditExport();
  const operatorNames = useOperatorNames();
  const now = useNow(30_000);
  const time = timeFormat(locale);
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = audit;
  // Infinite scroll: the next page when the end of the list comes into view; after a failed page,
  // only when the operator asks again ("Load more").
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || isFetchNextPageError) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage, items.length]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title" tabIndex={-1}>
        {t('nav.audit')}
      </h1>
      <AuditFilterForm filters={filters} onApply={setFilters} />
      <div className="toolbar">
        {exporter.state.phase === 'running' ? (
          <>
            <span role="status">{t('audit.exporting', { count: exporter.state.count })}</span>
            <button type="button" onClick={exporter.stop}>
              {t('audit.exportCancel')}
            </button>
          </>
        ) : (
          <button type="button" onClick={() => void exporter.start(query)} data-testid="audit-export">
            {t('audit.export')}
          </button>
        )}
        {exporter.state.phase === 'stopped' ? <span role="status">{t('audit.exportStopped')}</span> : null}
        {exporter.state.phase === 'done' ? (
          <span role="status" data-testid="audit-exported">
            {t('audit.exported', { count: exporter.state.count })}
          </span>
        ) : null}
      </div>
      {exporter.state.phase === 'failed' ? <ErrorMessage error={exporter.state.error} /> : null}
      <ErrorMessage error={audit.error} />
      {audit.isSuccess && !items.length ? <p className="muted">{t('audit.empty')}</p> : null}
      {items.length ? (
        <table className="data audit-table" aria-busy={audit.isFetching}>
          <thead>
            <tr>
              <th scope="col">{t('audit.colWhen')}</th>
              <th scope="col">{t('audit.colWhat')}</th>
              <th scope="col">{t('audit.colWho')}</th>
              <th scope="col">{t('audit.colTicket')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => {
              const ticket = ticketOf(event);
              return (
                <tr key={event.id} data-testid="audit-row" data-action={event.action}>
                  <td>
                    <time dateTime={event.at} title={time.relative(event.at, now)}>
                      {time.dateTime(event.at)}
                    </time>
                  </td>
                  <td>
                    {describeEvent(event, t)}
                    {event.userId ? (
                      <>
                        {' '}
                        <button type="button" className="link-button" onClick={() => openUser(event.userId!)}>
                          {t('audit.openUser')}
                        </button>
                      </>
                    ) : null}
                  </td>
                  <td>{actorOf(event, t, operatorNames)}</td>
                  <td>
                    {ticket ? (
                      <>
                        <strong>{ticket.ticket}</strong>
                        {ticket.reason ? <span className="muted"> · {ticket.reason}</span> : null}
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <div ref={sentinel} className="sentinel" />
      {isFetchingNextPage ? <p className="muted">{t('audit.loadingMore')}</p> : null}
      {isFetchNextPageError ? (
        <button type="button" onClick={() => void fetchNextPage()}>
          {t('users.loadMore')}
        </button>
      ) : null}
      {audit.isSuccess && items.length && !hasNextPage ? <p className="muted">{t('audit.end')}</p> : null}
    </section>
  );
}

/** The filters as a form: typed values apply on "Apply" (or Enter), so no request per keystroke. */
function AuditFilterForm({ filters, onApply }: { filters: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const { t } = useI18n();
  const client = useConsoleClient();
  const operators = useOperators();
  const [draft, setDraft] = useState(filters);
  const [email, setEmail] = useState('');
  const [notFound, setNotFound] = useState(false);
  useEffect(() => setDraft(filters), [filters]);
  const apply = async (event: FormEvent) => {
    event.preventDefault();
    let next = draft;
    setNotFound(false);
    if (email.trim()) {
      // An email names one user: the search's exact path finds them.
      const found = await client.users.search({ q: email.trim(), limit: 5 }).catch(() => null);
      const user = found?.items.find((u) => u.email === email.trim().toLowerCase());
      if (!user) {
        setNotFound(true);
        return;
      }
      next = { ...draft, user: { id: user.id, label: user.email } };
      setEmail('');
    }
    onApply(next);
  };
  return (
    <form className="filters" onSubmit={(event) => void apply(event)} aria-label={t('audit.filters')}>
      <div className="field">
        <label htmlFor="audit-user">{t('audit.user')}</label>
        {draft.user ? (
          <button type="button" className="chip" onClick={() => onApply({ ...draft, user: null })} data-testid="audit-user-chip">
            {t('audit.clearUser', { label: draft.user.label })} ✕
          </button>
        ) : (
          <input
            id="audit-user"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby="audit-user-hint"
            aria-invalid={notFound}
          />
        )}
        <small id="audit-user-hint" className="hint">
          {notFound ? t('audit.userNotFound') : t('audit.userHint')}
        </small>
      </div>
      <div className="field">
        <label htmlFor="audit-operator">{t('audit.operator')}</label>
        <select id="audit-operator" value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}>
          <option value="">{t('audit.anyOperator')}</option>
          {operators.data?.items.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.email})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-action">{t('audit.action')}</label>
        <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
          <option value="">{t('audit.anyAction')}</option>
          {knownActions.map((action) => (
            <option key={action} value={action}>
              {describeEventName(action, t)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">{t('audit.from')}</label>
        <input id="audit-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">{t('audit.to')}</label>
        <input id="audit-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          {t('audit.apply')}
        </button>
        <button type="button" onClick={() => onApply(noAuditFilters)}>
          {t('audit.reset')}
        </button>
      </div>
    </form>
  );
}

function describeEventName(action: string, t: ReturnType<typeof useI18n>['t']): string {
  return describeEvent({ action, details: { scope: '…' } }, t);
}
