import { useEffect } from 'react';
import type { PushAlertView, UserDetail } from '../../../shared/api/admin';
import type { PushDeviceView } from '../../../shared/api/push';
import { useNow } from '../../components/use-now';
import { usePushAlerts } from '../../hooks/use-admin-data';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';
import type { OpenAction } from './SupportActionDialog';

type Act = ((action: OpenAction) => () => void) | null;

const stateKey = {
  pending: 'push.state.pending',
  active: 'push.state.active',
  suspended: 'push.state.suspended',
  revoked: 'push.state.revoked',
} as const;

/**
 * The user's push devices (the server lists none it revoked): name, platform, state, last use, and
 * for operators who may act a revoke button on each and "Add push device". A device is added to an
 * account that already has the app or a phone, so without one the card says so instead.
 */
export function PushDevicesCard({ detail, act }: { detail: UserDetail; act: Act }) {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const time = timeFormat(locale);
  const devices = detail.pushDevices ?? [];
  const hasFirstFactor = detail.factors.some((f) => f.type === 'totp' || f.type === 'sms');
  return (
    <section className="card-panel wide" aria-labelledby="card-push" data-testid="card-push">
      <h2 id="card-push">{t('detail.push')}</h2>
      {devices.length ? (
        <ul className="device-list" data-testid="push-device-list">
          {devices.map((device) => (
            <li key={device.id} data-testid="push-device" data-device-id={device.id} data-state={device.state}>
              <span>
                <strong>{device.name}</strong> <span className="muted">{device.platform}</span>{' '}
                <span
                  className={device.state === 'suspended' ? 'badge badge-alert' : device.state === 'active' ? 'badge' : 'badge badge-ok'}
                >
                  {t(stateKey[device.state])}
                </span>
                <br />
                <small className="muted">{deviceLine(device, t, time, now)}</small>
              </span>
              {act && device.state !== 'revoked' ? (
                <button
                  type="button"
                  onClick={act({ kind: 'revokePushDevice', device: { id: device.id, label: device.name } })}
                  data-testid="revoke-push-device-button"
                  aria-label={t('action.pushRevoke.named', { device: device.name })}
                >
                  {t('action.pushRevoke')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('detail.pushNone')}</p>
      )}
      {act ? (
        hasFirstFactor ? (
          <div className="actions">
            <button type="button" onClick={act({ kind: 'enrollPushDevice' })} data-testid="add-push-device-button">
              {t('action.pushEnroll')}
            </button>
          </div>
        ) : (
          <p className="muted">{t('detail.pushNeedsFactor')}</p>
        )
      ) : null}
    </section>
  );
}

function deviceLine(device: PushDeviceView, t: ReturnType<typeof useI18n>['t'], time: ReturnType<typeof timeFormat>, now: number): string {
  const parts = [
    device.lastUsedAt ? t('detail.pushUsed', { when: time.relative(device.lastUsedAt, now) }) : t('detail.pushNeverUsed'),
    device.activatedAt
      ? t('detail.pushActivated', { when: time.dateTime(device.activatedAt) })
      : t('detail.pushAdded', { when: time.dateTime(device.createdAt) }),
  ];
  if (device.state === 'suspended' && device.suspendedAt)
    parts.push(t('detail.pushSuspendedAt', { when: time.dateTime(device.suspendedAt) }));
  if (device.state === 'active' && !device.wakeable) parts.push(t('detail.pushNotWakeable'));
  return parts.join(' · ');
}

/**
 * A device of this user answered "this wasn't me" and was suspended: the sign-in it was asked about
 * came from someone who had their password. The report (IP address, browser) comes from the push
 * alerts; the suspended device from the user's page, so the banner shows even before the alerts load.
 */
export function PushFraudBanner({ detail, act }: { detail: UserDetail; act: Act }) {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const time = timeFormat(locale);
  const suspended = (detail.pushDevices ?? []).filter((d) => d.state === 'suspended');
  const alerts = usePushAlerts({});
  if (!suspended.length) return null;
  const reportFor = (deviceId: string): PushAlertView | undefined =>
    alerts.data?.items.find((a) => a.userId === detail.user.id && a.deviceId === deviceId);
  return (
    <section className="message message-alarm push-fraud-banner" aria-labelledby="push-fraud-title" data-testid="push-fraud-banner">
      <h2 id="push-fraud-title">{t('pushAlerts.bannerTitle', { count: suspended.length })}</h2>
      <ul>
        {suspended.map((device) => {
          const report = reportFor(device.id);
          const when = report?.reportedAt ?? device.suspendedAt;
          return (
            <li key={device.id}>
              {report
                ? t('pushAlerts.report', {
                    device: device.name,
                    ip: report.ip,
                    browser: report.browser,
                    when: time.clock(report.reportedAt, now),
                  })
                : t('pushAlerts.reportShort', { device: device.name, when: when ? time.clock(when, now) : '' })}{' '}
              {act ? (
                <button
                  type="button"
                  onClick={act({ kind: 'revokePushDevice', device: { id: device.id, label: device.name } })}
                  data-testid="fraud-revoke-push-device-button"
                >
                  {t('action.pushRevoke.named', { device: device.name })}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <p>{t('pushAlerts.advice')}</p>
    </section>
  );
}

/**
 * Push approval is locked for the user after wrong codes typed on a device (SMS and the app still
 * work), with a live countdown; Unlock lifts it with any lockout. When the countdown ends the page is
 * re-read, so the banner goes because the server says so. (With a lockout too, both banners have an
 * Unlock: either lifts both.)
 */
export function PushLockBanner({ detail, onUnlock, onEnded }: { detail: UserDetail; onUnlock: (() => void) | null; onEnded: () => void }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const time = timeFormat(locale);
  const lock = detail.pushLock ?? null;
  const ended = lock ? Date.parse(lock.until) <= now : false;
  useEffect(() => {
    if (!ended) return;
    onEnded();
    const timer = setInterval(onEnded, 5000);
    return () => clearInterval(timer);
  }, [ended, onEnded]);
  if (!lock) return null;
  return (
    <section className="message message-error lockout-banner" aria-labelledby="push-lock-title" data-testid="push-lock-banner">
      <h2 id="push-lock-title">{t('pushLock.title', { count: lock.wrongCodes })}</h2>
      <p>
        {t('lock.since', { when: time.clock(lock.since, now) })}{' '}
        {ended
          ? t('pushLock.ended')
          : t('lock.until', { when: time.clock(lock.until, now), left: time.duration(Date.parse(lock.until) - now) })}{' '}
        {t('pushLock.others')}
      </p>
      {onUnlock ? (
        <button type="button" className="primary" onClick={onUnlock} data-testid="push-unlock-button">
          {t('action.unlock')}
        </button>
      ) : null}
    </section>
  );
}
