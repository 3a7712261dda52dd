import { useSignInAlarms } from '../hooks/use-admin-data';
import { useI18n } from '../i18n/I18nProvider';

/**
 * Credential-stuffing alarms: many accounts of one tenant failing their passwords within 15 minutes.
 * Shown above the lockouts, since the desk's phones ring with those users next. Nothing when calm.
 */
export function SignInAlarms() {
  const { t, locale } = useI18n();
  const alarms = useSignInAlarms({});
  const items = alarms.data?.items ?? [];
  if (!items.length) return null;
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const count = new Intl.NumberFormat(locale);
  return (
    <section className="alarm-list" aria-labelledby="sign-in-alarms-title">
      <h2 id="sign-in-alarms-title">{t('alarms.title')}</h2>
      <ul>
        {items.map((alarm) => (
          <li key={`${alarm.tenantId}-${alarm.windowStart}`} className="message message-alarm" data-testid="sign-in-alarm">
            <strong>{alarm.tenantName}</strong>{' '}
            {t('alarms.window', {
              failed: count.format(alarm.failedSignIns),
              accounts: count.format(alarm.accounts),
              from: day.format(new Date(alarm.windowStart)),
              to: time.format(new Date(alarm.windowEnd)),
            })}
            {alarm.refusedSignIns ? ` ${t('alarms.refused', { refused: count.format(alarm.refusedSignIns) })}` : ''}
          </li>
        ))}
      </ul>
      <p className="muted">{t('alarms.advice')}</p>
    </section>
  );
}
