import { useI18n } from '../i18n/I18nProvider';
import { ComingSoonScreen } from './ComingSoonScreen';

export function SharedAccountsScreen() {
  const { t } = useI18n();
  return <ComingSoonScreen title={t('nav.shared')} />;
}
