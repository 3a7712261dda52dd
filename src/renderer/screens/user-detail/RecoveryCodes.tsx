import { useState } from 'react';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * New recovery codes, shown once: masked until the operator reveals them (a screen share or a
 * colleague's glance sees dots), copied or printed from here. They live only in this component's
 * props; closing the dialog drops them.
 */
export function RecoveryCodes({ codes, userName }: { codes: readonly string[]; userName: string }) {
  const { t } = useI18n();
  const [revealed, setRevealed] = useState(false);
  const [copy, setCopy] = useState<'copied' | 'failed' | null>(null);
  const copyCodes = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  return (
    <div className="recovery-codes print-area">
      <p className="print-only">{t('action.recovery.printTitle', { name: userName })}</p>
      <p className="no-print">{t('action.recovery.done')}</p>
      <ol
        className={revealed ? 'codes' : 'codes masked'}
        data-testid="recovery-codes"
        aria-describedby={revealed ? undefined : 'codes-masked-note'}
      >
        {codes.map((code, index) => (
          <li key={index}>
            <code>{revealed ? code : '••••-••••'}</code>
          </li>
        ))}
      </ol>
      {!revealed ? (
        <p id="codes-masked-note" className="muted no-print">
          {t('action.recovery.masked')}
        </p>
      ) : null}
      <div className="actions no-print">
        <button type="button" onClick={() => setRevealed(!revealed)} aria-pressed={revealed} data-testid="reveal-codes">
          {revealed ? t('action.recovery.hide') : t('action.recovery.reveal')}
        </button>
        <button type="button" onClick={() => void copyCodes()}>
          {t('action.recovery.copy')}
        </button>
        <button
          type="button"
          onClick={() => {
            setRevealed(true);
            // Printing needs the codes in the page: print after the reveal has rendered.
            requestAnimationFrame(() => window.print());
          }}
        >
          {t('action.recovery.print')}
        </button>
      </div>
      {copy ? (
        <p role="status" className="muted no-print">
          {t(copy === 'copied' ? 'action.recovery.copied' : 'action.recovery.copyFailed')}
        </p>
      ) : null}
      <p className="muted no-print">{t('action.recovery.forget')}</p>
    </div>
  );
}
