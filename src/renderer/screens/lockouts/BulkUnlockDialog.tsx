import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { LockoutView } from '../../../shared/api/admin';
import { ActionDialog, type TicketAndReason } from '../../components/ActionDialog';
import { useConsoleClient } from '../../bridge/ConsoleProvider';
import { ConsoleCallError } from '../../bridge/console-client';
import { queryKeys } from '../../hooks/query-keys';
import { useI18n } from '../../i18n/I18nProvider';

interface Outcome {
  lockout: LockoutView;
  error: string | null;
}

/**
 * Unlocks several users under one ticket and reason: one call per user, one at a time (each is its
 * own audited action and email), a progress bar, then what worked and, for each failure, why.
 */
export function BulkUnlockDialog({ lockouts, onClose }: { lockouts: readonly LockoutView[]; onClose: () => void }) {
  const { t } = useI18n();
  const client = useConsoleClient();
  const queryClient = useQueryClient();
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [running, setRunning] = useState(false);
  const started = useRef(false);
  const users = [...new Map(lockouts.map((l) => [l.userId, l])).values()];
  const run = async (input: TicketAndReason) => {
    if (started.current) return;
    started.current = true;
    setRunning(true);
    const done: Outcome[] = [];
    setOutcomes([]);
    for (const lockout of users) {
      try {
        await client.users.unlock({ id: lockout.userId, ...input });
        done.push({ lockout, error: null });
      } catch (error) {
        done.push({
          lockout,
          error: t(`error.${error instanceof ConsoleCallError ? error.code : 'internal'}`, {
            detail: error instanceof ConsoleCallError ? (error.detail ?? '') : '',
          }),
        });
      }
      setOutcomes([...done]);
    }
    setRunning(false);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.lockoutsAll }),
      queryClient.invalidateQueries({ queryKey: queryKeys.users }),
      queryClient.invalidateQueries({ queryKey: queryKeys.auditAll }),
    ]);
  };
  const failed = outcomes?.filter((o) => o.error) ?? [];
  const finished = outcomes !== null && !running;
  return (
    <ActionDialog
      title={t('lockouts.bulk.title', { count: users.length })}
      consequence={
        <>
          <p>{t('lockouts.bulk.consequence')}</p>
          <ul>
            {users.map((l) => (
              <li key={l.userId}>
                {l.name} ({l.email})
              </li>
            ))}
          </ul>
        </>
      }
      confirmLabel={t('lockouts.unlockSelected')}
      pending={running}
      error={null}
      onConfirm={(input) => void run(input)}
      onClose={running ? () => {} : onClose}
      testId="dialog-bulk-unlock"
      subject={users
        .map((l) => l.userId)
        .sort()
        .join(',')}
      result={
        outcomes !== null ? (
          <div data-testid="bulk-result">
            <progress
              max={users.length}
              value={outcomes.length}
              aria-label={t('lockouts.bulk.progress', { done: outcomes.length, total: users.length })}
            />
            {/* Only the summary is announced; the bar shows the progress meanwhile. */}
            <p role={finished ? 'status' : undefined}>
              {finished
                ? t('lockouts.bulk.summary', { ok: outcomes.length - failed.length })
                : t('lockouts.bulk.progress', { done: outcomes.length, total: users.length })}
            </p>
            {finished && failed.length ? (
              <>
                <p>{t('lockouts.bulk.failed', { count: failed.length })}</p>
                <ul data-testid="bulk-failures">
                  {failed.map((o) => (
                    <li key={o.lockout.userId}>
                      {o.lockout.name} ({o.lockout.email}): {o.error}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : undefined
      }
    />
  );
}
