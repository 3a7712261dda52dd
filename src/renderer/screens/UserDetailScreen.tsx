import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { UserDetail } from '../../shared/api/admin';
import { ErrorMessage } from '../components/ErrorMessage';
import { StatusBadges } from '../components/StatusBadges';
import { useNow } from '../components/use-now';
import { useUser } from '../hooks/use-admin-data';
import { queryKeys } from '../hooks/query-keys';
import { useMayAct } from '../hooks/use-may-act';
import { useI18n } from '../i18n/I18nProvider';
import { timeFormat } from '../i18n/time-format';
import { useUiStore } from '../state/ui-store';
import { LockoutBanner } from './user-detail/LockoutBanner';
import { NextSignIn } from './user-detail/NextSignIn';
import { PushDevicesCard, PushFraudBanner, PushLockBanner } from './user-detail/PushDevices';
import { SupportActionDialog, type OpenAction } from './user-detail/SupportActionDialog';
import { Timeline } from './user-detail/Timeline';

/**
 * One user, for the agent with the caller on the line: why they can't get in (banners: lockout, push
 * lock, a push device's fraud report), what happens at their next sign-in, each factor (push devices
 * included), today's SMS, recent events, and the actions that fix it.
 * Operators whose role may not act (auditors) see no action at all.
 */
export function UserDetailScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const user = useUser(id);
  const openUser = useUiStore((state) => state.openUser);
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<OpenAction | null>(null);
  const mayAct = useMayAct();
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: queryKeys.user(id) }), [queryClient, id]);
  const close = useCallback(() => setOpen(null), []);
  const act = mayAct ? (action: OpenAction) => () => setOpen(action) : null;
  return (
    <section aria-labelledby="user-title" className="user-detail" data-testid="user-detail">
      <button type="button" className="link-button back" onClick={() => openUser(null)} data-testid="back-to-users">
        ← {t('detail.back')}
      </button>
      {user.isPending ? <p className="muted">{t('detail.loading')}</p> : null}
      <ErrorMessage error={user.error} />
      {user.data ? (
        <>
          <UserHeader detail={user.data} />
          <LockoutBanner detail={user.data} onUnlock={act ? act({ kind: 'unlock' }) : null} onEnded={refresh} />
          <PushLockBanner detail={user.data} onUnlock={act ? act({ kind: 'unlock' }) : null} onEnded={refresh} />
          <PushFraudBanner detail={user.data} act={act} />
          <NextSignIn detail={user.data} />
          <Factors detail={user.data} act={act} />
          {!mayAct ? <p className="muted">{t('detail.readOnly')}</p> : null}
          <Events detail={user.data} />
          {open ? <SupportActionDialog open={open} user={{ id, name: user.data.user.name }} onClose={close} /> : null}
        </>
      ) : null}
    </section>
  );
}

function UserHeader({ detail }: { detail: UserDetail }) {
  const { t, locale } = useI18n();
  const time = timeFormat(locale);
  const u = detail.user;
  return (
    <header className="user-header">
      <h1 id="user-title" tabIndex={-1}>
        {u.name}
      </h1>
      <p className="user-header-line">
        <span data-testid="user-email">{u.email}</span>
        <span className="muted">
          {t('detail.tenant')}: {u.tenantName}
        </span>
        <span className="muted">
          {t('detail.language')}: {u.locale}
        </span>
        <span className="muted">
          {t('detail.createdAt')}: {time.dateTime(u.createdAt)}
        </span>
        <span>
          <StatusBadges user={u} />
        </span>
      </p>
    </header>
  );
}

type Act = ((action: OpenAction) => () => void) | null;

function ActionButton({ act, action, label, testId }: { act: Act; action: OpenAction; label: string; testId: string }) {
  if (!act) return null;
  return (
    <button type="button" onClick={act(action)} data-testid={testId}>
      {label}
    </button>
  );
}

function Factors({ detail, act }: { detail: UserDetail; act: Act }) {
  const { t, locale } = useI18n();
  const now = useNow(60_000);
  const time = timeFormat(locale);
  const app = detail.factors.find((f) => f.type === 'totp');
  const phone = detail.factors.find((f) => f.type === 'sms');
  const enrolled = detail.factors.length > 0;
  return (
    <div className="cards" aria-label={t('detail.factors')} role="group">
      {detail.invitation ? (
        <section className="card-panel" aria-labelledby="card-invitation" data-testid="card-invitation">
          <h2 id="card-invitation">{t('detail.invitation')}</h2>
          <p>
            {t(detail.invitation.expired ? 'detail.invitationExpired' : 'detail.invitationOpen', {
              sent: time.dateTime(detail.invitation.sentAt),
              expires: time.dateTime(detail.invitation.expiresAt),
            })}
          </p>
          <ActionButton act={act} action={{ kind: 'resendInvitation' }} label={t('action.invite')} testId="resend-invitation-button" />
        </section>
      ) : null}
      <section className="card-panel" aria-labelledby="card-app" data-testid="card-app">
        <h2 id="card-app">{t('detail.app')}</h2>
        <p>{app ? t('detail.appSince', { when: time.dateTime(app.since) }) : t('detail.appNone')}</p>
        {app ? (
          <ActionButton act={act} action={{ kind: 'resetAuthenticator' }} label={t('action.resetApp')} testId="reset-app-button" />
        ) : null}
      </section>
      <section className="card-panel" aria-labelledby="card-phone" data-testid="card-phone">
        <h2 id="card-phone">{t('detail.phone')}</h2>
        <p>{phone ? t('detail.phoneSince', { hint: phone.phoneHint ?? '', when: time.dateTime(phone.since) }) : t('detail.phoneNone')}</p>
        <ActionButton act={act} action={{ kind: 'sendPhoneResetLink' }} label={t('action.phoneReset')} testId="phone-reset-button" />
      </section>
      <section className="card-panel" aria-labelledby="card-recovery" data-testid="card-recovery">
        <h2 id="card-recovery">{t('detail.recovery')}</h2>
        <p data-testid="recovery-left">{t('detail.recoveryLeft', { count: detail.recoveryCodesLeft })}</p>
        {enrolled ? (
          <ActionButton act={act} action={{ kind: 'regenerateRecoveryCodes' }} label={t('action.recovery')} testId="recovery-button" />
        ) : null}
      </section>
      <section className="card-panel" aria-labelledby="card-sms" data-testid="card-sms">
        <h2 id="card-sms">{t('detail.smsToday', { day: detail.sms.day, zone: detail.sms.timeZone })}</h2>
        <SmsMeter
          testId="card-sms-login"
          label={t('detail.smsLogin', { sent: detail.sms.login.sent, limit: detail.sms.login.limit })}
          sent={detail.sms.login.sent}
          limit={detail.sms.login.limit}
        />
        <SmsMeter
          label={t('detail.smsSetup', { sent: detail.sms.setup.sent, limit: detail.sms.setup.limit })}
          sent={detail.sms.setup.sent}
          limit={detail.sms.setup.limit}
        />
      </section>
      {/* Older servers say nothing about push devices: no card rather than "none". */}
      {detail.pushDevices ? <PushDevicesCard detail={detail} act={act} /> : null}
      <section className="card-panel wide" aria-labelledby="card-devices" data-testid="card-devices">
        <h2 id="card-devices">{t('detail.devices')}</h2>
        {detail.trustedDevices.length ? (
          <ul className="device-list" data-testid="device-list">
            {detail.trustedDevices.map((device) => (
              <li key={device.id}>
                <span>
                  <strong>{device.label}</strong>{' '}
                  <span className="muted">
                    {device.lastUsedAt
                      ? t('detail.deviceUsed', { when: time.relative(device.lastUsedAt, now) })
                      : t('detail.deviceNeverUsed')}
                    , {t('detail.deviceExpires', { when: time.dateTime(device.expiresAt) })}
                  </span>
                </span>
                <ActionButton
                  act={act}
                  action={{ kind: 'revokeDevices', device: { id: device.id, label: device.label } }}
                  label={t('action.revokeDevice')}
                  testId="revoke-device-button"
                />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('detail.devicesNone')}</p>
        )}
        <div className="actions">
          <ActionButton act={act} action={{ kind: 'revokeDevices' }} label={t('action.revokeAll')} testId="revoke-all-button" />
        </div>
      </section>
      <section className="card-panel" aria-labelledby="card-sessions" data-testid="card-sessions">
        <h2 id="card-sessions">{t('detail.sessions', { count: detail.activeSessions })}</h2>
        {detail.activeSessions ? (
          <ActionButton act={act} action={{ kind: 'endSessions' }} label={t('action.endSessions')} testId="end-sessions-button" />
        ) : null}
      </section>
    </div>
  );
}

function SmsMeter({ label, sent, limit, testId }: { label: string; sent: number; limit: number; testId?: string }) {
  return (
    <div className="meter" data-testid={testId}>
      <span>{label}</span>
      <meter
        min={0}
        max={limit}
        low={Math.floor(limit * 0.7)}
        high={Math.floor(limit * 0.9)}
        optimum={0}
        value={Math.min(sent, limit)}
        aria-label={label}
      />
    </div>
  );
}

function Events({ detail }: { detail: UserDetail }) {
  const { t } = useI18n();
  const now = useNow(30_000);
  const setAuditFilters = useUiStore((state) => state.setAuditFilters);
  const showSection = useUiStore((state) => state.showSection);
  return (
    <section aria-labelledby="events-title" className="card-panel wide">
      <h2 id="events-title">{t('detail.events')}</h2>
      <Timeline events={detail.recentEvents} now={now} />
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setAuditFilters({ user: { id: detail.user.id, label: detail.user.email }, actorId: '', action: '', from: '', to: '' });
          showSection('audit');
        }}
        data-testid="all-events"
      >
        {t('detail.allEvents')}
      </button>
    </section>
  );
}
