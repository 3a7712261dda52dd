import { useEffect, useMemo, useState } from 'react';
import type { SheetCandidate } from '../../../shared/api/tenant-admin';
import { sheetsLimits } from '../../../shared/api/tenant-admin';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useDebounced } from '../../components/use-debounced';
import { useSheetCandidates, type useCreateSheets } from '../../hooks/use-enrollment-sheets';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';
import { CreateSheetsDialog } from './CreateSheetsDialog';

const TYPING_PAUSE_MS = 250;

/**
 * The users of one tenant who have no authenticator app: filter, tick (one by one, or every one
 * shown), and "Create sheets" for the ticked ones. A user whose earlier sheet still works is marked:
 * a new sheet replaces it. The selection survives a change of filter (the count says how many).
 */
export function CandidatePicker({
  tenant,
  filter,
  onFilter,
  create,
}: {
  tenant: { id: string; name: string };
  filter: string;
  onFilter: (filter: string) => void;
  create: ReturnType<typeof useCreateSheets>;
}) {
  const { t, locale } = useI18n();
  const q = useDebounced(filter.trim(), TYPING_PAUSE_MS);
  const candidates = useSheetCandidates({ tenantId: tenant.id, ...(q ? { q } : {}) });
  const [selected, setSelected] = useState<ReadonlyMap<string, SheetCandidate>>(new Map());
  const [confirming, setConfirming] = useState(false);
  const items = useMemo(() => candidates.data?.pages.flatMap((page) => page.items) ?? [], [candidates.data]);
  // Another tenant: nothing of the last one stays ticked.
  useEffect(() => setSelected(new Map()), [tenant.id]);
  const time = timeFormat(locale);
  const languages = useMemo(() => new Intl.DisplayNames([locale], { type: 'language' }), [locale]);
  const languageName = (tag: string) => {
    try {
      return languages.of(tag) ?? tag;
    } catch {
      return tag;
    }
  };
  const allShown = items.length > 0 && items.every((user) => selected.has(user.userId));
  const toggle = (user: SheetCandidate) =>
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(user.userId)) next.delete(user.userId);
      else next.set(user.userId, user);
      return next;
    });
  const toggleAllShown = () =>
    setSelected((current) => {
      const next = new Map(current);
      for (const user of items) {
        if (allShown) next.delete(user.userId);
        else next.set(user.userId, user);
      }
      return next;
    });
  const notShown = [...selected.keys()].filter((id) => !items.some((user) => user.userId === id)).length;
  const tooMany = selected.size > sheetsLimits.maxUsers;
  const settled = candidates.isSuccess && !candidates.isPlaceholderData;
  return (
    <div data-testid="sheet-candidates">
      <h2 id="sheet-candidates-title">{t('sheets.candidates.title')}</h2>
      <div className="toolbar">
        <div className="field grow">
          <label htmlFor="sheet-candidates-filter">{t('sheets.candidates.filter')}</label>
          <input
            id="sheet-candidates-filter"
            type="search"
            value={filter}
            placeholder={t('sheets.candidates.filterHint')}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => onFilter(event.target.value)}
          />
        </div>
      </div>
      <div className="toolbar">
        <span role="status" className="sheets-selection" data-testid="sheets-selected">
          {t('sheets.candidates.selected', { count: selected.size })}
          {notShown ? ` ${t('sheets.candidates.notShown', { count: notShown })}` : ''}
        </span>
        <button type="button" onClick={toggleAllShown} disabled={!items.length} data-testid="sheets-select-all">
          {allShown ? t('sheets.candidates.unselectShown') : t('sheets.candidates.selectShown', { count: items.length })}
        </button>
        <button type="button" onClick={() => setSelected(new Map())} disabled={!selected.size}>
          {t('sheets.candidates.clear')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!selected.size || tooMany}
          onClick={() => setConfirming(true)}
          data-testid="sheets-create"
        >
          {t('sheets.candidates.create', { count: selected.size })}
        </button>
      </div>
      {tooMany ? <p className="message message-error">{t('sheets.candidates.tooMany', { max: sheetsLimits.maxUsers })}</p> : null}
      <ErrorMessage error={candidates.error} />
      {candidates.isPending ? (
        <p className="muted" role="status">
          {t('sheets.candidates.loading')}
        </p>
      ) : null}
      {settled && !items.length ? (
        <p className="muted" role="status" data-testid="sheets-no-candidates">
          {q ? t('sheets.candidates.noMatch', { q }) : t('sheets.candidates.none', { tenant: tenant.name })}
        </p>
      ) : null}
      {items.length ? (
        <table className="data sheets-table" aria-labelledby="sheet-candidates-title" aria-busy={candidates.isFetching}>
          <thead>
            <tr>
              <th scope="col" className="check">
                <input
                  type="checkbox"
                  aria-label={t('sheets.candidates.selectAllShown')}
                  checked={allShown}
                  onChange={toggleAllShown}
                  data-testid="sheets-select-all-box"
                />
              </th>
              <th scope="col">{t('sheets.col.user')}</th>
              <th scope="col">{t('sheets.col.language')}</th>
              <th scope="col">{t('sheets.col.otherMethods')}</th>
              <th scope="col">{t('sheets.col.earlierSheet')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((user) => (
              <tr key={user.userId} data-testid="sheet-candidate" data-user-id={user.userId}>
                <td className="check">
                  <input
                    type="checkbox"
                    id={`sheet-candidate-${user.userId}`}
                    checked={selected.has(user.userId)}
                    onChange={() => toggle(user)}
                    aria-label={t('sheets.candidates.select', { name: user.name, email: user.email })}
                  />
                </td>
                <td>
                  <label htmlFor={`sheet-candidate-${user.userId}`}>{user.name}</label>
                  <br />
                  <small className="muted">{user.email}</small>
                </td>
                <td>{languageName(user.locale)}</td>
                <td>{user.mfaEnrolled ? t('sheets.candidates.hasPhone') : t('sheets.candidates.noMethod')}</td>
                <td data-testid="sheet-candidate-live">
                  {user.liveSheet ? (
                    <>
                      <span className="badge badge-state-live">{t('sheets.candidates.liveSheet')}</span>
                      <small>{t('sheets.candidates.liveUntil', { when: time.dateTime(user.liveSheet.expiresAt) })}</small>
                    </>
                  ) : (
                    <span className="muted">{t('sheets.candidates.noSheet')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {candidates.hasNextPage ? (
        <button type="button" onClick={() => void candidates.fetchNextPage()} disabled={candidates.isFetchingNextPage}>
          {candidates.isFetchingNextPage ? t('sheets.loadingMore') : t('sheets.loadMore')}
        </button>
      ) : null}
      {confirming ? (
        <CreateSheetsDialog
          users={[...selected.values()]}
          tenantName={tenant.name}
          create={create}
          onClose={() => {
            setConfirming(false);
            // A refusal shown in the dialog is not shown again when it next opens.
            if (!create.mutation.isSuccess) create.mutation.reset();
          }}
        />
      ) : null}
    </div>
  );
}
