import type { UserSummary } from '../../shared/api/admin';
import { useI18n } from '../i18n/I18nProvider';

/** What stands out about a user, as badges: locked, no MFA, shared mailbox, disabled; else "OK". */
export function StatusBadges({ user }: { user: Pick<UserSummary, 'locked' | 'mfaEnrolled' | 'shared' | 'disabled'> }) {
  const { t } = useI18n();
  const badges = [
    user.locked && 'users.badge.locked',
    !user.mfaEnrolled && 'users.badge.noMfa',
    user.shared && 'users.badge.shared',
    user.disabled && 'users.badge.disabled',
  ].filter(Boolean) as Array<'users.badge.locked' | 'users.badge.noMfa' | 'users.badge.shared' | 'users.badge.disabled'>;
  if (!badges.length) return <span className="badge badge-ok">{t('users.badge.ok')}</span>;
  return (
    <>
      {badges.map((key) => (
        <span key={key} className={`badge ${key === 'users.badge.locked' ? 'badge-alert' : ''}`}>
          {t(key)}
        </span>
      ))}
    </>
  );
}
