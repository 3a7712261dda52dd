import { useEffect } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { useUiStore } from '../state/ui-store';

export function Toast() {
  const { t } = useI18n();
  const toast = useUiStore((state) => state.toast);
  const showToast = useUiStore((state) => state.showToast);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => showToast(null), 6000);
    return () => clearTimeout(timer);
  }, [toast, showToast]);
  if (!toast) return null;
  return (
    <div className="toast" role="status">
      <span>{t(toast)}</span>
      <button type="button" className="link-button" onClick={() => showToast(null)}>
        {t('toast.dismiss')}
      </button>
    </div>
  );
}
