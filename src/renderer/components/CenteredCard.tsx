import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSelect } from './LanguageSelect';

/** The frame of the screens before sign-in: brand, one card, the language choice. */
export function CenteredCard({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <main className="centered" id="main">
      <div className="card">
        <p className="brand">{t('app.name')}</p>
        <h1>{title}</h1>
        {children}
      </div>
      <LanguageSelect />
    </main>
  );
}
