import type { UserDetail } from '../../../shared/api/admin';
import { useNow } from '../../components/use-now';
import { useI18n } from '../../i18n/I18nProvider';
import { describeNextSignIn } from '../../i18n/next-sign-in-words';
import { timeFormat } from '../../i18n/time-format';

/** "What happens at their next sign-in": the server decides, the console says it in words. */
export function NextSignIn({ detail }: { detail: UserDetail }) {
  const { t, locale } = useI18n();
  const now = useNow(15_000);
  const lines = detail.nextSignIn ? describeNextSignIn(detail.nextSignIn, t, timeFormat(locale), now) : [t('detail.nextSignInUnknown')];
  return (
    <section className="card-panel next-sign-in" aria-labelledby="next-sign-in-title" data-testid="next-sign-in">
      <h2 id="next-sign-in-title">{t('detail.nextSignIn')}</h2>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}
