import { useEffect, useState } from 'react';
import { sheetState, type SheetView } from '../../../shared/api/tenant-admin';
import { ActionDialog } from '../../components/ActionDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useNow } from '../../components/use-now';
import { useSheetList, useVoidSheet } from '../../hooks/use-enrollment-sheets';
import { useOperators } from '../../hooks/use-admin-data';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';

type StateFilter = SheetView['state'] | '';

/** Void one sheet: its code stops working at once; the user can be sent a new one. */
function VoidSheetDialog({ sheet, onClose }: { sheet: SheetView; onClose: () => void }) {
  const { t } = useI18n();
  const { send, mutation } = useVoidSheet();
  useEffect(() => {
    if (mutation.isSuccess) onClose();
  }, [mutation.isSuccess, onClose]);
  return (
    <ActionDialog
      title={t('sheets.void.title', { name: sheet.name })}
      consequence={<p>{t('sheets.void.consequence', { name: sheet.name, email: sheet.email })}</p>}
      confirmLabel={t('sheets.void.confirm')}
      pending={mutation.isPending}
      error={mutation.error}
      onConfirm={(input) => void send({ id: sheet.id, ...input })}
      onClose={onClose}
      testId="dialog-void-sheet"
      subject={sheet.userId}
    />
  );
}

/**
 * The sheets made for the tenant, newest first, with what became of each: still live, used (the
 * user set up the app with it), expired, voided, or replaced by a newer one. No keys: the server
 * never sends them again. A live sheet can be voided (ticket and reason).
 */
export function SheetList({ tenantId, mayAct }: { tenantId: string; mayAct: boolean }) {
  const { t, locale } = useI18n();
  const [state, setState] = useState<StateFilter>('');
  const list = useSheetList({ tenantId, ...(state ? { state } : {}) });
  const operators = useOperators().data?.items ?? [];
  // The server names the operator who made a sheet by their email (or id): their name where the console knows it.
  const madeBy = (who: string) => operators.find((o) => o.email === who || o.id === who)?.name ?? who;
  const now = useNow(60_000);
  const time = timeFormat(locale);
  const [voiding, setVoiding] = useState<SheetView | null>(null);
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const stateDetail = (sheet: SheetView) => {
    if (sheet.state === 'used' && sheet.usedAt) return t('sheets.list.usedAt', { when: time.clock(sheet.usedAt, now) });
    if (sheet.state === 'voided' && sheet.voidedAt) return t('sheets.list.voidedAt', { when: time.clock(sheet.voidedAt, now) });
    return '';
  };
  return (
    <div data-testid="sheet-list">
      <h2 id="sheet-list-title">{t('sheets.list.title')}</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="sheet-list-state">{t('sheets.list.stateFilter')}</label>
          <select id="sheet-list-state" value={state} onChange={(event) => setState(event.target.value as StateFilter)}>
            <option value="">{t('sheets.list.allStates')}</option>
            {sheetState.options.map((name) => (
              <option key={name} value={name}>
                {t(`sheets.state.${name}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorMessage error={list.error} />
      {list.isSuccess && !items.length ? (
        <p className="muted" role="status">
          {state ? t('sheets.list.emptyState') : t('sheets.list.empty')}
        </p>
      ) : null}
      {items.length ? (
        <table className="data sheets-table" aria-labelledby="sheet-list-title">
          <thead>
            <tr>
              <th scope="col">{t('sheets.col.user')}</th>
              <th scope="col">{t('sheets.col.state')}</th>
              <th scope="col">{t('sheets.col.made')}</th>
              <th scope="col">{t('sheets.col.validUntil')}</th>
              {mayAct ? (
                <th scope="col">
                  <span className="sheets-hidden-label">{t('sheets.col.actions')}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {items.map((sheet) => (
              <tr key={sheet.id} data-testid="sheet-row" data-user-id={sheet.userId} data-state={sheet.state}>
                <td>
                  {sheet.name}
                  <br />
                  <small className="muted">{sheet.email}</small>
                </td>
                <td>
                  <span className={`badge badge-state-${sheet.state}`}>{t(`sheets.state.${sheet.state}`)}</span>
                  {stateDetail(sheet) ? (
                    <>
                      <br />
                      <small className="muted">{stateDetail(sheet)}</small>
                    </>
                  ) : null}
                </td>
                <td>
                  {time.clock(sheet.createdAt, now)}
                  <br />
                  <small className="muted">{t('sheets.list.by', { operator: madeBy(sheet.createdBy) })}</small>
                </td>
                <td>{time.dateTime(sheet.expiresAt)}</td>
                {mayAct ? (
                  <td>
                    {sheet.state === 'live' ? (
                      <button
                        type="button"
                        onClick={() => setVoiding(sheet)}
                        aria-label={t('sheets.void.button', { name: sheet.name })}
                        data-testid="sheet-void-button"
                      >
                        {t('sheets.void.confirm')}
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {list.hasNextPage ? (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('sheets.loadingMore') : t('sheets.loadMore')}
        </button>
      ) : null}
      {voiding ? <VoidSheetDialog sheet={voiding} onClose={() => setVoiding(null)} /> : null}
    </div>
  );
}
