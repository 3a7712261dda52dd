import type { SharedAccountView } from '../../../shared/api/tenant-admin';
import { ErrorMessage } from '../../components/ErrorMessage';
import { StatusBadges } from '../../components/StatusBadges';
import { useFinishBreakup } from '../../hooks/use-shared-accounts';
import { useNow } from '../../components/use-now';
import { useI18n } from '../../i18n/I18nProvider';
import { breakupSentences, reasonSentence } from './words';

/**
 * The accounts that look shared, each with why (a sentence per reason, with its evidence), how much it
 * was used this week, where its break-up stands, and what the operator can do: break it up (or go on
 * with a break-up started here), or say it is not shared.
 */
export function SharedAccountList({
  items,
  showTenant,
  act,
  draftIds,
}: {
  items: readonly SharedAccountView[];
  showTenant: boolean;
  /** Null for a role that may not act: no buttons at all. */
  act: { breakUp(item: SharedAccountView): void; unflag(item: SharedAccountView): void } | null;
  /** Accounts with a wizard in this console (a break-up to go on with). */
  draftIds: ReadonlySet<string>;
}) {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const finishing = useFinishBreakup();
  return (
    <ul className="shared-list" aria-labelledby="shared-list-title">
      {items.map((item) => {
        const { user, breakup } = item;
        const headingId = `shared-${user.id}`;
        const done = breakup?.state === 'completed';
        // Started elsewhere (another console, or this one before a restart): finished from the server's record.
        const unfinished = breakup?.state === 'in_progress' && !draftIds.has(user.id);
        return (
          <li key={user.id} className="card-panel shared-card" data-testid="shared-account" data-user-id={user.id}>
            <div className="shared-card-head">
              <h3 id={headingId}>{user.name}</h3>
              <span className="shared-email" data-testid="shared-email">
                {user.email}
              </span>
              {showTenant ? <span className="muted">{t('shared.tenantLine', { tenant: user.tenantName })}</span> : null}
              <span>
                <StatusBadges user={user} />
              </span>
            </div>
            <h4 className="shared-subhead">{t('shared.why')}</h4>
            <ul className="shared-reasons" data-testid="shared-reasons">
              {item.reasons.map((reason, index) => (
                <li key={index} data-kind={reason.kind}>
                  {reasonSentence(reason, t, locale)}
                </li>
              ))}
            </ul>
            <p className="muted">{t('shared.signInsThisWeek', { count: item.signInsThisWeek })}</p>
            {breakup ? (
              <div
                className={`message ${done ? 'message-info' : 'message-warning'}`}
                data-testid="shared-breakup-state"
                data-state={breakup.state}
              >
                {breakupSentences(breakup, t, locale, now).map((line, index) => (
                  <p key={index}>{line}</p>
                ))}
              </div>
            ) : null}
            {act && unfinished && finishing.mutation.error && finishing.mutation.variables === breakup.id ? (
              <ErrorMessage error={finishing.mutation.error} />
            ) : null}
            {act ? (
              <div className="actions">
                {unfinished ? (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => void finishing.finish(breakup.id)}
                    disabled={finishing.mutation.isPending}
                    aria-describedby={headingId}
                    data-testid="finish-breakup-button"
                  >
                    {t('shared.finishRest')}
                  </button>
                ) : !done ? (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => act.breakUp(item)}
                    aria-describedby={headingId}
                    data-testid="break-up-button"
                  >
                    {draftIds.has(user.id) ? t('shared.continueBreakUp') : t('shared.breakUp')}
                  </button>
                ) : null}
                <button type="button" onClick={() => act.unflag(item)} aria-describedby={headingId} data-testid="unflag-button">
                  {t('shared.unflag')}
                </button>
              </div>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
