import { useEffect } from 'react';
import type { LockoutView, UserDetail } from '../../../shared/api/admin';
import { useNow } from '../../components/use-now';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';

/**
 * Why the user can't get in, in words, with a live countdown: the lockout row, or a run of wrong
 * passwords that used all its tries. When the countdown reaches zero the page is re-read (`onEnded`),
 * so the banner goes away because the server says so, not because the clock guessed.
 */
export function LockoutBanner({ detail, onUnlock, onEnded }: { detail: UserDetail; onUnlock: (() => void) | null; onEnded: () => void }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const time = timeFormat(locale);
  // Wrong passwords shut sign-in only when the new places' run is exhausted (what `nextSignIn.refused`
  // says); a run on one remembered device or trusted IP shuts that place alone and is no lockout.
  const passwordsExhausted = detail.nextSignIn
    ? detail.nextSignIn.refused?.reason === 'password_attempts'
    : detail.passwordThrottle?.exhausted === true;
  const lockout: Pick<LockoutView, 'reason' | 'since' | 'until'> | null =
    detail.activeLockout ?? (passwordsExhausted ? { reason: 'password_attempts', since: detail.user.createdAt, until: null } : null);
  const ended = lockout?.until ? Date.parse(lockout.until) <= now : false;
  // Ended by this computer's clock: re-read now, and every few seconds while the server (whose clock
  // decides) still reports the lockout.
  useEffect(() => {
    if (!ended) return;
    onEnded();
    const timer = setInterval(onEnded, 5000);
    return () => clearInterval(timer);
  }, [ended, onEnded]);
  if (!lockout) return null;
  return (
    <section className="message message-error lockout-banner" aria-labelledby="lockout-title" data-testid="lockout-banner">
      <h2 id="lockout-title">{t(`lock.reason.${lockout.reason}`)}</h2>
      <p>
        {detail.activeLockout ? `${t('lock.since', { when: time.clock(lockout.since, now) })} ` : ''}
        {ended
          ? t('lock.ended')
          : lockout.until
            ? t('lock.until', { when: time.clock(lockout.until, now), left: time.duration(Date.parse(lockout.until) - now) })
            : t('lock.untilUnlocked')}
      </p>
      {onUnlock ? (
        <button type="button" className="primary" onClick={onUnlock} data-testid="unlock-button">
          {t('action.unlock')}
        </button>
      ) : null}
    </section>
  );
}
