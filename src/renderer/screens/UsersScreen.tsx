import { useState, type KeyboardEvent } from 'react';
import type { UserSearchProgress, UserSummary } from '../../shared/api/admin';
import { ErrorMessage } from '../components/ErrorMessage';
import { useDebounced } from '../components/use-debounced';
import { useUserSearch } from '../hooks/use-admin-data';
import { useI18n } from '../i18n/I18nProvider';

function StatusBadges({ user }: { user: UserSummary }) {
  const { t } = useI18n();
  const badges = [user.locked && 'users.badge.locked', !user.mfaEnrolled && 'users.badge.noMfa', user.shared && 'users.badge.shared', user.disabled && 'users.badge.disabled'].filter(Boolean) as Array<
    'users.badge.locked' | 'users.badge.noMfa' | 'users.badge.shared' | 'users.badge.disabled'
  >;
  if (!badges.length) return <span className="badge badge-ok">{t('users.badge.ok')}</span>;
  return (
    <>
      {badges.map((key) => (
        <span key={key} className={`badge ${key === 'users.badge.locked' ? 'badge-alert' : ''}`}>
          {t(key)}
        </span>
      ))}
    </>
  );
}

/** How far a search cut short at the server's bound has got: the users its pages went through. */
function SearchProgress({ pages }: { pages: ReadonlyArray<{ searched?: UserSearchProgress }> }) {
  const { t, locale } = useI18n();
  const number = new Intl.NumberFormat(locale);
  const count = pages.reduce((sum, page) => sum + (page.searched?.examined ?? 0), 0);
  const total = pages.at(-1)?.searched?.total;
  return (
    <p className="muted" role="status" data-testid="user-search-progress">
      {total !== undefined && total >= count ? t('users.searchedOf', { count: number.format(count), total: number.format(total) }) : t('users.searchedSoFar', { count: number.format(count) })}
    </p>
  );
}

/** Search by any fragment; arrow keys move through the results, Home/End jump. */
export function UsersScreen() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const search = useUserSearch(query ? { q: query } : {});
  const [active, setActive] = useState(0);
  const pages = search.data?.pages ?? [];
  const items = pages.flatMap((page) => page.items);
  // The last page stopped at the server's bound rather than at a full page or the end.
  const cutShort = pages.at(-1)?.searched?.complete === false;
  const onListKey = (event: KeyboardEvent<HTMLElement>) => {
    const last = items.length - 1;
    const next = event.key === 'ArrowDown' ? Math.min(active + 1, last) : event.key === 'ArrowUp' ? Math.max(active - 1, 0) : event.key === 'Home' ? 0 : event.key === 'End' ? last : null;
    if (next === null || next < 0) return;
    event.preventDefault();
    setActive(next);
    document.getElementById(`user-row-${next}`)?.focus();
  };
  return (
    <section>
      <h1>{t('nav.users')}</h1>
      <div className="field">
        <label htmlFor="user-search">{t('users.search')}</label>
        <input
          id="user-search"
          type="search"
          value={q}
          placeholder={t('users.searchHint')}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => {
            setQ(event.target.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' && items.length) {
              event.preventDefault();
              document.getElementById('user-row-0')?.focus();
            }
          }}
        />
      </div>
      <ErrorMessage error={search.error} />
      {search.isPending ? <p className="muted">{t('users.loading')}</p> : null}
      {search.isSuccess && !items.length && !cutShort ? <p className="muted">{t('users.empty')}</p> : null}
      {items.length ? (
        <table className="data" aria-busy={search.isFetching} onKeyDown={onListKey}>
          <thead>
            <tr>
              <th scope="col">{t('users.colName')}</th>
              <th scope="col">{t('users.colEmail')}</th>
              <th scope="col">{t('users.colTenant')}</th>
              <th scope="col">{t('users.colStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((user, index) => (
              <tr key={user.id} id={`user-row-${index}`} tabIndex={index === active ? 0 : -1} onFocus={() => setActive(index)} data-testid="user-row">
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>{user.tenantName}</td>
                <td>
                  <StatusBadges user={user} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {search.isSuccess && cutShort ? <SearchProgress pages={pages} /> : null}
      {search.hasNextPage ? (
        <button type="button" onClick={() => void search.fetchNextPage()} disabled={search.isFetchingNextPage} data-testid="user-search-more">
          {search.isFetchingNextPage ? t('users.loadingMore') : t('users.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
