import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { UserDetail } from '../../../shared/api/admin';
import { ActionDialog } from '../../components/ActionDialog';
import { queryKeys } from '../../hooks/query-keys';
import { useSupportAction, type SupportAction } from '../../hooks/use-support-action';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';
import { PushEnrollment, type PushEnrollmentAnswer } from './PushEnrollment';
import { RecoveryCodes } from './RecoveryCodes';

/**
 * An action the operator opened on a user's page; `device` for forgetting one remembered device or
 * revoking one push device (`revokePushDevice` always has one).
 */
export type OpenAction = { kind: SupportAction; device?: { id: string; label: string } };

const words = {
  unlock: { title: 'action.unlock.title', consequence: 'action.unlock.consequence', confirm: 'action.unlock' },
  sendPhoneResetLink: { title: 'action.phoneReset.title', consequence: 'action.phoneReset.consequence', confirm: 'action.phoneReset' },
  regenerateRecoveryCodes: { title: 'action.recovery.title', consequence: 'action.recovery.consequence', confirm: 'action.recovery' },
  resetAuthenticator: { title: 'action.resetApp.title', consequence: 'action.resetApp.consequence', confirm: 'action.resetApp' },
  revokeDevices: { title: 'action.revokeAll.title', consequence: 'action.revokeAll.consequence', confirm: 'action.revokeAll' },
  endSessions: { title: 'action.endSessions.title', consequence: 'action.endSessions.consequence', confirm: 'action.endSessions' },
  enrollPushDevice: { title: 'action.pushEnroll.title', consequence: 'action.pushEnroll.consequence', confirm: 'action.pushEnroll' },
  revokePushDevice: { title: 'action.pushRevoke.title', consequence: 'action.pushRevoke.consequence', confirm: 'action.pushRevoke' },
  resendInvitation: { title: 'action.invite.title', consequence: 'action.invite.consequence', confirm: 'action.invite' },
} as const;
const oneRememberedDevice = {
  title: 'action.revokeDevice.title',
  consequence: 'action.revokeDevice.consequence',
  confirm: 'action.revokeDevice',
} as const;

/** Actions whose answer the dialog shows (the others close themselves on success). */
const showsAnswer: ReadonlySet<SupportAction> = new Set([
  'regenerateRecoveryCodes',
  'sendPhoneResetLink',
  'enrollPushDevice',
  'resendInvitation',
]);

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
  const queryClient = useQueryClient();
  const { send, mutation } = useSupportAction(open.kind);
  const text = open.kind === 'revokeDevices' && open.device ? oneRememberedDevice : words[open.kind];
  const values = { name: user.name, device: open.device?.label ?? '' };
  const answer = mutation.data as Record<string, unknown> | undefined;
  const withAnswer = showsAnswer.has(open.kind);
  // The push devices the user had when the dialog opened: a new one is the enrollment's.
  const [knownPushDevices] = useState<ReadonlySet<string>>(
    () => new Set((queryClient.getQueryData<UserDetail>(queryKeys.user(user.id))?.pushDevices ?? []).map((d) => d.id)),
  );
  // Close = forget: the recovery codes (or the enrollment's test code) leave the mutation (gcTime 0 drops it from the cache).
  useEffect(() => () => mutation.reset(), [mutation.reset]);
  useEffect(() => {
    if (mutation.isSuccess && !withAnswer) onClose();
  }, [mutation.isSuccess, withAnswer, onClose]);
  let result = null;
  if (answer && open.kind === 'regenerateRecoveryCodes')
    result = <RecoveryCodes codes={answer.recoveryCodes as string[]} userName={user.name} />;
  if (answer && (open.kind === 'sendPhoneResetLink' || open.kind === 'resendInvitation')) {
    result = (
      <p className="message message-info" role="status">
        {t('action.phoneReset.done', { to: String(answer.sentTo), when: timeFormat(locale).dateTime(String(answer.expiresAt)) })}
      </p>
    );
  }
  if (answer && open.kind === 'enrollPushDevice')
    result = <PushEnrollment answer={answer as unknown as PushEnrollmentAnswer} user={user} knownDeviceIds={knownPushDevices} />;
  return (
    <ActionDialog
      title={t(text.title, values)}
      consequence={<p>{t(text.consequence, values)}</p>}
      confirmLabel={t(text.confirm)}
      pending={mutation.isPending}
      error={mutation.error}
      result={result}
      onClose={onClose}
      onConfirm={(input) => void send({ id: user.id, ...input, ...(open.device ? { deviceId: open.device.id } : {}) } as never)}
      testId={`dialog-${open.kind}`}
      subject={user.id}
    />
  );
}
