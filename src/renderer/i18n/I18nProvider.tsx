import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { ConsoleLocale } from '../../shared/console-api';
import { catalogs, format, type MessageKey } from './catalogs';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  locale: ConsoleLocale;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ locale, children }: { locale: ConsoleLocale; children: ReactNode }) {
  const value = useMemo<I18n>(() => ({ locale, t: (key, values) => format(catalogs[locale][key], values, locale) }), [locale]);
  // Screen readers and hyphenation follow the language actually shown.
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
