import { useEffect } from 'react';
import { ActionDialog } from '../../components/ActionDialog';
import { useSetSharedFlag } from '../../hooks/use-shared-accounts';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * "Mark as shared" or "Mark as not shared" for one account, with ticket and reason. Closes itself
 * once the server has it; the list re-reads meanwhile.
 */
export function FlagDialog({
  user,
  shared,
  onClose,
}: {
  user: { id: string; name: string; email: string };
  shared: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { send, mutation } = useSetSharedFlag();
  useEffect(() => {
    if (mutation.isSuccess) onClose();
  }, [mutation.isSuccess, onClose]);
  const values = { name: user.name, email: user.email };
  return (
    <ActionDialog
      title={t(shared ? 'shared.flag.title' : 'shared.unflag.title', values)}
      consequence={<p>{t(shared ? 'shared.flag.consequence' : 'shared.unflag.consequence', values)}</p>}
      confirmLabel={t(shared ? 'shared.flag' : 'shared.unflag')}
      pending={mutation.isPending}
      error={mutation.error}
      onClose={onClose}
      onConfirm={(input) => void send({ id: user.id, shared, ...input })}
      testId={shared ? 'dialog-flag-shared' : 'dialog-unflag-shared'}
      subject={user.id}
    />
  );
}
