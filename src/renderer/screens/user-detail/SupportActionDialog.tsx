import { useEffect } from 'react';
import { ActionDialog } from '../../components/ActionDialog';
import { useSupportAction, type SupportAction } from '../../hooks/use-support-action';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';
import { RecoveryCodes } from './RecoveryCodes';

/** An action the operator opened on a user's page; `device` for forgetting one remembered device. */
export type OpenAction = { kind: SupportAction; device?: { id: string; label: string } };

const words = {
  unlock: { title: 'action.unlock.title', consequence: 'action.unlock.consequence', confirm: 'action.unlock' },
  sendPhoneResetLink: { title: 'action.phoneReset.title', consequence: 'action.phoneReset.consequence', confirm: 'action.phoneReset' },
  regenerateRecoveryCodes: { title: 'action.recovery.title', consequence: 'action.recovery.consequence', confirm: 'action.recovery' },
  resetAuthenticator: { title: 'action.resetApp.title', consequence: 'action.resetApp.consequence', confirm: 'action.resetApp' },
  revokeDevices: { title: 'action.revokeAll.title', consequence: 'action.revokeAll.consequence', confirm: 'action.revokeAll' },
  endSessions: { title: 'action.endSessions.title', consequence: 'action.endSessions.consequence', confirm: 'action.endSessions' },
} as const;

/**
 * One support action on one user: what will happen, ticket and reason, then what came back. Actions
 * without an answer to show close themselves on success; the page behind re-reads the user.
 */
export function SupportActionDialog({
  open,
  user,
  onClose,
}: {
  open: OpenAction;
  user: { id: string; name: string };
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const { send, mutation } = useSupportAction(open.kind);
  const text = words[open.kind];
  const single = open.kind === 'revokeDevices' && open.device;
  const answer = mutation.data as Record<string, unknown> | undefined;
  const showsAnswer = open.kind === 'regenerateRecoveryCodes' || open.kind === 'sendPhoneResetLink';
  // Close = forget: the recovery codes leave the mutation (gcTime 0 drops it from the cache).
  useEffect(() => () => mutation.reset(), [mutation.reset]);
  useEffect(() => {
    if (mutation.isSuccess && !showsAnswer) onClose();
  }, [mutation.isSuccess, showsAnswer, onClose]);
  let result = null;
  if (answer && open.kind === 'regenerateRecoveryCodes')
    result = <RecoveryCodes codes={answer.recoveryCodes as string[]} userName={user.name} />;
  if (answer && open.kind === 'sendPhoneResetLink') {
    result = (
      <p className="message message-info" role="status">
        {t('action.phoneReset.done', { to: String(answer.sentTo), when: timeFormat(locale).dateTime(String(answer.expiresAt)) })}
      </p>
    );
  }
  return (
    <ActionDialog
      title={single ? t('action.revokeDevice.title', { device: open.device!.label }) : t(text.title, { name: user.name })}
      consequence={<p>{single ? t('action.revokeDevice.consequence') : t(text.consequence, { name: user.name })}</p>}
      confirmLabel={single ? t('action.revokeDevice') : t(text.confirm)}
      pending={mutation.isPending}
      error={mutation.error}
      result={result}
      onClose={onClose}
      onConfirm={(input) => void send({ id: user.id, ...input, ...(single ? { deviceId: open.device!.id } : {}) } as never)}
      testId={`dialog-${open.kind}`}
      subject={user.id}
    />
  );
}
