import { useEffect, useState } from 'react';
import type { LockoutView } from '../../shared/api/admin';
import { ErrorMessage } from '../components/ErrorMessage';
import { PushAlerts } from '../components/PushAlerts';
import { SignInAlarms } from '../components/SignInAlarms';
import { useNow } from '../components/use-now';
import { useLockouts } from '../hooks/use-admin-data';
import { useMayAct } from '../hooks/use-may-act';
import { useI18n } from '../i18n/I18nProvider';
import { timeFormat } from '../i18n/time-format';
import { useUiStore } from '../state/ui-store';
import { BulkUnlockDialog } from './lockouts/BulkUnlockDialog';

/**
 * Every active lockout the operator may see, re-read every 15 seconds and when a countdown runs out;
 * time left ticks; a row opens the user; several can be unlocked at once under one ticket. Above
 * them, the alarms the desk should act on first: credential stuffing, and push fraud reports.
 */
export function LockoutsScreen() {
  const { t, locale } = useI18n();
  const lockouts = useLockouts({ active: true });
  const openUser = useUiStore((state) => state.openUser);
  const mayAct = useMayAct();
  const now = useNow();
  const time = timeFormat(locale);
  const items = lockouts.data?.items ?? [];
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulk, setBulk] = useState<LockoutView[] | null>(null);
  // Selection follows what is still locked.
  useEffect(() => {
    setSelected((current) => new Set([...current].filter((id) => items.some((l) => l.id === id))));
  }, [lockouts.data]);
  const expired = items.some((l) => l.until && Date.parse(l.until) <= now);
  const { refetch } = lockouts;
  useEffect(() => {
    if (!expired) return;
    void refetch();
    // The server's clock decides: ask again every few seconds until it agrees the lockout is over.
    const timer = setInterval(() => void refetch(), 5000);
    return () => clearInterval(timer);
  }, [expired, refetch]);
  const toggle = (id: string) =>
    setSelected((current) => (current.has(id) ? new Set([...current].filter((x) => x !== id)) : new Set([...current, id])));
  const allSelected = items.length > 0 && items.every((l) => selected.has(l.id));
  return (
    <section aria-labelledby="lockouts-title">
      <h1 id="lockouts-title" tabIndex={-1}>
        {t('lockouts.title')}
      </h1>
      <SignInAlarms />
      <PushAlerts />
      <p className="muted">{t('lockouts.autoRefresh')}</p>
      <ErrorMessage error={lockouts.error} />
      {lockouts.isSuccess && !items.length ? <p className="muted">{t('lockouts.empty')}</p> : null}
      {mayAct && items.length ? (
        <div className="toolbar">
          <span role="status">{t('lockouts.selected', { count: selected.size })}</span>
          <button
            type="button"
            className="primary"
            disabled={!selected.size}
            onClick={() => setBulk(items.filter((l) => selected.has(l.id)))}
            data-testid="bulk-unlock"
          >
            {t('lockouts.unlockSelected')}
          </button>
        </div>
      ) : null}
      {items.length ? (
        <table className="data">
          <thead>
            <tr>
              {mayAct ? (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('lockouts.selectAll')}
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((l) => l.id)))}
                  />
                </th>
              ) : null}
              <th scope="col">{t('lockouts.colUser')}</th>
              <th scope="col">{t('lockouts.colReason')}</th>
              <th scope="col">{t('lockouts.colSince')}</th>
              <th scope="col">{t('lockouts.colUntil')}</th>
              <th scope="col">{t('lockouts.colLeft')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((lockout) => (
              <tr key={lockout.id} data-testid="lockout-row">
                {mayAct ? (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('lockouts.select', { name: lockout.name })}
                      checked={selected.has(lockout.id)}
                      onChange={() => toggle(lockout.id)}
                    />
                  </td>
                ) : null}
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => openUser(lockout.userId)}
                    aria-label={t('lockouts.open', { name: lockout.name })}
                  >
                    {lockout.name}
                  </button>
                  <br />
                  <small className="muted">{lockout.email}</small>
                </td>
                <td>{t(`lock.reason.${lockout.reason}`)}</td>
                <td>{time.clock(lockout.since, now)}</td>
                <td>{lockout.until ? time.clock(lockout.until, now) : t('lockouts.untilUnlocked')}</td>
                <td data-testid="lockout-left">{lockout.until ? time.duration(Date.parse(lockout.until) - now) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {bulk ? (
        <BulkUnlockDialog
          lockouts={bulk}
          onClose={() => {
            setBulk(null);
            setSelected(new Set());
          }}
        />
      ) : null}
    </section>
  );
}
