import { useI18n } from '../i18n/I18nProvider';

/** A browser that opened the host's address without the launch link's secret: it gets nothing. */
export function NoBridgeScreen() {
  const { t } = useI18n();
  return (
    <main className="centered" id="main">
      <div className="card">
        <p className="brand">{t('app.name')}</p>
        <h1>{t('app.noBridge.title')}</h1>
        <p>{t('app.noBridge.body')}</p>
      </div>
    </main>
  );
}
