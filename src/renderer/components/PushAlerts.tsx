import { usePushAlerts } from '../hooks/use-admin-data';
import { useI18n } from '../i18n/I18nProvider';
import { timeFormat } from '../i18n/time-format';
import { useUiStore } from '../state/ui-store';
import { useNow } from './use-now';

/**
 * "This wasn't me" reports from push devices: a sign-in with the user's password asked their device,
 * and they said it was not them (the device is suspended). Shown on the lockouts screen with the
 * credential-stuffing alarms: support calls these users back. A row opens the user. Nothing when calm.
 */
export function PushAlerts() {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const time = timeFormat(locale);
  const openUser = useUiStore((state) => state.openUser);
  const alerts = usePushAlerts({});
  const items = alerts.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section className="alarm-list" aria-labelledby="push-alerts-title">
      <h2 id="push-alerts-title">{t('pushAlerts.title')}</h2>
      <ul>
        {items.map((alert) => (
          <li key={alert.id} className="message message-alarm" data-testid="push-alert" data-user-id={alert.userId}>
            <button
              type="button"
              className="link-button"
              onClick={() => openUser(alert.userId)}
              aria-label={t('lockouts.open', { name: alert.name })}
            >
              {alert.name}
            </button>{' '}
            <small>{alert.email}</small>:{' '}
            {t('pushAlerts.report', {
              device: alert.deviceName,
              ip: alert.ip,
              browser: alert.browser,
              when: time.clock(alert.reportedAt, now),
            })}{' '}
            <strong>{t(`pushAlerts.state.${alert.deviceState}`)}</strong>
          </li>
        ))}
      </ul>
      <p className="muted">{t('pushAlerts.advice')}</p>
    </section>
  );
}
