import type { SheetCandidate } from '../../../shared/api/tenant-admin';
import { ActionDialog } from '../../components/ActionDialog';
import type { useCreateSheets } from '../../hooks/use-enrollment-sheets';
import { useI18n } from '../../i18n/I18nProvider';

/** How many names the dialog lists before it says "and N more". */
const namesShown = 12;

/**
 * "Create sheets": whom they are for (and whose older sheet stops working), ticket and reason, then
 * the server makes them. The answer goes to the screen's mutation, which opens the print preview.
 */
export function CreateSheetsDialog({
  users,
  tenantName,
  create,
  onClose,
}: {
  users: readonly SheetCandidate[];
  tenantName: string;
  create: ReturnType<typeof useCreateSheets>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const replacing = users.filter((user) => user.liveSheet).length;
  return (
    <ActionDialog
      title={t('sheets.create.title', { count: users.length })}
      consequence={
        <>
          <p>{t('sheets.create.consequence', { count: users.length })}</p>
          <ul data-testid="sheets-create-users">
            {users.slice(0, namesShown).map((user) => (
              <li key={user.userId}>
                {user.name} ({user.email})
              </li>
            ))}
            {users.length > namesShown ? <li>{t('sheets.create.more', { count: users.length - namesShown })}</li> : null}
          </ul>
          <p>{t('sheets.create.validity', { tenant: tenantName })}</p>
          {replacing ? <p>{t('sheets.create.replacing', { count: replacing })}</p> : null}
          <p>{t('sheets.create.secret')}</p>
        </>
      }
      confirmLabel={t('sheets.create.confirm')}
      pending={create.mutation.isPending}
      error={create.mutation.error}
      onConfirm={(input) => void create.send({ userIds: users.map((user) => user.userId), ...input })}
      onClose={onClose}
      testId="dialog-create-sheets"
      subject={`sheets:${users
        .map((user) => user.userId)
        .sort()
        .join(',')}`}
    />
  );
}
