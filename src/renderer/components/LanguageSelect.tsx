import { useId } from 'react';
import { consoleLocales, type ConsoleLocale } from '../../shared/console-api';
import { useSession, useSetLocale } from '../hooks/use-session';
import { useI18n } from '../i18n/I18nProvider';

export function LanguageSelect() {
  const { t } = useI18n();
  const id = useId();
  const session = useSession();
  const setLocale = useSetLocale();
  const current = session.data?.preferences.locale ?? '';
  return (
    <div className="language-select">
      <label htmlFor={id}>{t('language.label')}</label>
      <select
        id={id}
        value={current}
        onChange={(event) => setLocale.mutate({ locale: (event.target.value || null) as ConsoleLocale | null })}
      >
        <option value="">{t('language.system')}</option>
        {consoleLocales.map((locale) => (
          <option key={locale} value={locale}>
            {t(`language.${locale}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
