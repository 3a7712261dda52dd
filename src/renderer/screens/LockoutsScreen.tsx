import { ErrorMessage } from '../components/ErrorMessage';
import { SignInAlarms } from '../components/SignInAlarms';
import { useLockouts } from '../hooks/use-admin-data';
import { useI18n } from '../i18n/I18nProvider';

export function LockoutsScreen() {
  const { t, locale } = useI18n();
  const lockouts = useLockouts({ active: true });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const items = lockouts.data?.items ?? [];
  return (
    <section>
      <h1>{t('lockouts.title')}</h1>
      <SignInAlarms />
      <ErrorMessage error={lockouts.error} />
      {lockouts.isSuccess && !items.length ? <p className="muted">{t('lockouts.empty')}</p> : null}
      {items.length ? (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">{t('lockouts.colUser')}</th>
              <th scope="col">{t('lockouts.colReason')}</th>
              <th scope="col">{t('lockouts.colSince')}</th>
              <th scope="col">{t('lockouts.colUntil')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((lockout) => (
              <tr key={lockout.id} tabIndex={0} data-testid="lockout-row">
                <td>
                  {lockout.name}
                  <br />
                  <small className="muted">{lockout.email}</small>
                </td>
                <td>{lockout.reasonText}</td>
                <td>{when.format(new Date(lockout.since))}</td>
                <td>{lockout.until ? when.format(new Date(lockout.until)) : t('lockouts.untilUnlocked')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
