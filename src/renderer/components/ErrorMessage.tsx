import type { ConsoleErrorCode } from '../../shared/console-api';
import { ConsoleCallError } from '../bridge/console-client';
import { useI18n } from '../i18n/I18nProvider';

/** A failed call in the operator's language; `role=alert` so a screen reader says it at once. */
export function ErrorMessage({ error, code }: { error?: unknown; code?: ConsoleErrorCode | null }) {
  const { t } = useI18n();
  const resolved: ConsoleErrorCode | null = code ?? (error instanceof ConsoleCallError ? error.code : error ? 'internal' : null);
  if (!resolved) return null;
  const detail = error instanceof ConsoleCallError && resolved === 'invalid_input' ? (error.detail ?? '') : '';
  return (
    <p className="message message-error" role="alert" data-error-code={resolved}>
      {t(`error.${resolved}`, { detail })}
    </p>
  );
}
