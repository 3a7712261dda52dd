import { useI18n } from '../i18n/I18nProvider';

export function ComingSoonScreen({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <section>
      <h1>{title}</h1>
      <p className="muted">{t('comingSoon.body')}</p>
    </section>
  );
}
