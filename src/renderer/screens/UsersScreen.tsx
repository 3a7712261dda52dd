import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { UserSearchProgress } from '../../shared/api/admin';
import { ErrorMessage } from '../components/ErrorMessage';
import { TenantSelect } from '../components/TenantSelect';
import { StatusBadges } from '../components/StatusBadges';
import { useDebounced } from '../components/use-debounced';
import { useTenants, useUserSearch } from '../hooks/use-admin-data';
import { useI18n } from '../i18n/I18nProvider';
import { useUiStore } from '../state/ui-store';
import { UserDetailScreen } from './UserDetailScreen';

const filters = ['all', 'locked', 'shared', 'no_mfa', 'disabled'] as const;
type Filter = (typeof filters)[number];
const ROW_HEIGHT = 52;
/**
 * Long enough to send one search for a burst of keys (a paste, auto-repeat), short enough that a
 * result follows each key a person types: searches are a few milliseconds on the server.
 */
const TYPING_PAUSE_MS = 40;

/** How far a search cut short at the server's bound has got: the users its pages went through. */
function SearchProgress({ pages }: { pages: ReadonlyArray<{ searched?: UserSearchProgress }> }) {
  const { t, locale } = useI18n();
  const number = new Intl.NumberFormat(locale);
  const count = pages.reduce((sum, page) => sum + (page.searched?.examined ?? 0), 0);
  const total = pages.at(-1)?.searched?.total;
  return (
    <p className="muted" role="status" data-testid="user-search-progress">
      {total !== undefined && total >= count
        ? t('users.searchedOf', { count: number.format(count), total: number.format(total) })
        : t('users.searchedSoFar', { count: number.format(count) })}
    </p>
  );
}

/** The users list, or the page of the user opened from it (the list keeps its search meanwhile). */
export function UsersScreen() {
  const openUserId = useUiStore((state) => state.openUserId);
  return (
    <>
      <div hidden={openUserId !== null}>
        <UserSearch />
      </div>
      {openUserId ? <UserDetailScreen id={openUserId} /> : null}
    </>
  );
}

/**
 * Search as you type by any fragment (email, name, phone digits with or without spaces), with filters;
 * a virtualized list, so ten rows or ten thousand scroll alike, fetching the next cursor page as the
 * operator nears the end. Arrow keys move, Home/End jump, Enter opens.
 */
function UserSearch() {
  const { t } = useI18n();
  const openUser = useUiStore((state) => state.openUser);
  const openUserId = useUiStore((state) => state.openUserId);
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [tenantId, setTenantId] = useState('');
  const tenants = useTenants();
  const query = useDebounced(q.trim(), TYPING_PAUSE_MS);
  const search = useUserSearch({
    ...(query ? { q: query } : {}),
    ...(filter !== 'all' ? { filter } : {}),
    ...(tenantId ? { tenantId } : {}),
  });
  const [active, setActive] = useState(0);
  const pages = search.data?.pages ?? [];
  const items = pages.flatMap((page) => page.items);
  // The last page stopped at the server's bound rather than at a full page or the end.
  const cutShort = pages.at(-1)?.searched?.complete === false;
  const settled = search.isSuccess && !search.isPlaceholderData;
  const scroller = useRef<HTMLDivElement>(null);
  // The row that holds the list's one tab stop stays rendered even when scrolled out of view, so Tab
  // always reaches the list and comes back to where the operator was.
  const rangeExtractor = useCallback(
    (range: Range) =>
      [...new Set([...defaultRangeExtractor(range), Math.min(active, Math.max(0, items.length - 1))])].sort((a, b) => a - b),
    [active, items.length],
  );
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    rangeExtractor,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastShown = virtualRows.at(-1)?.index ?? -1;

  // Near the end of what is loaded: fetch the next page, unless the last one was cut short at the
  // server's bound (then the operator decides: keep typing, or "load more" to search on).
  // After a failed page, not again by itself: "Load more" (shown then) retries.
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = search;
  useEffect(() => {
    if (lastShown >= items.length - 5 && hasNextPage && !isFetchingNextPage && !isFetchNextPageError && !cutShort && items.length)
      void fetchNextPage();
  }, [lastShown, items.length, hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage, cutShort]);
  // A new search starts at the top.
  useEffect(() => {
    setActive(0);
    virtualizer.scrollToOffset(0);
  }, [query, filter, tenantId, virtualizer]);
  // Back from a user's page: focus returns to what opened it (the row, or the search box), once the
  // list is shown and measured again.
  const opener = useRef<string | null>(null);
  const open = (id: string) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement.id || null : null;
    openUser(id);
  };
  useEffect(() => {
    if (openUserId !== null || !opener.current) return;
    const id = opener.current;
    opener.current = null;
    requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById(id)?.focus()));
  }, [openUserId]);

  const focusRow = (index: number) => {
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
    // A row on screen takes the focus now, so a key pressed right after (ArrowDown twice, fast)
    // starts from it; one scrolled into view is rendered on the next frame.
    const row = document.getElementById(`user-row-${index}`);
    if (row) row.focus();
    else requestAnimationFrame(() => document.getElementById(`user-row-${index}`)?.focus());
  };
  const onListKey = (event: KeyboardEvent<HTMLElement>) => {
    const last = items.length - 1;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      Home: 0,
      End: last,
      PageDown: active + page,
      PageUp: active - page,
    };
    if (event.key in moves) {
      event.preventDefault();
      focusRow(Math.max(0, Math.min(last, moves[event.key]!)));
    }
  };
  const showTenants = (tenants.data?.items.length ?? 0) > 1;
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title" tabIndex={-1}>
        {t('nav.users')}
      </h1>
      <div className="toolbar">
        <div className="field grow">
          <label htmlFor="user-search">{t('users.search')}</label>
          <input
            id="user-search"
            type="search"
            value={q}
            placeholder={t('users.searchHint')}
            autoComplete="off"
            spellCheck={false}
            aria-keyshortcuts="/ Control+K"
            onChange={(event) => setQ(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowDown' && items.length) {
                event.preventDefault();
                focusRow(0);
              } else if (event.key === 'Enter' && items.length) {
                event.preventDefault();
                open(items[0]!.id);
              }
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="user-filter">{t('users.filter')}</label>
          <select id="user-filter" value={filter} onChange={(event) => setFilter(event.target.value as Filter)}>
            {filters.map((name) => (
              <option key={name} value={name}>
                {t(`users.filter.${name}`)}
              </option>
            ))}
          </select>
        </div>
        {showTenants ? (
          <TenantSelect
            id="user-tenant"
            label={t('users.tenant')}
            emptyLabel={t('users.allTenants')}
            value={tenantId}
            tenants={tenants.data?.items ?? []}
            onChange={setTenantId}
          />
        ) : null}
      </div>
      <ErrorMessage error={search.error} />
      {search.isPending ? (
        <p className="muted" role="status">
          {t('users.loading')}
        </p>
      ) : null}
      <div data-testid="user-results" data-results-for={settled ? query : undefined} aria-busy={search.isFetching}>
        {settled && !items.length && !cutShort ? (
          <p className="muted" role="status">
            {t('users.empty')}
          </p>
        ) : null}
        {items.length ? (
          <>
            <p className="muted list-caption">
              {t('users.count', { count: items.length })} · {t('users.openHint')}
            </p>
            <div ref={scroller} className="virtual-scroller" onKeyDown={onListKey}>
              <ul className="user-list" aria-label={t('users.results')} style={{ height: virtualizer.getTotalSize() }}>
                {virtualRows.map((row) => {
                  const user = items[row.index]!;
                  return (
                    <li
                      key={user.id}
                      className="user-row-slot"
                      style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                      aria-setsize={items.length}
                      aria-posinset={row.index + 1}
                    >
                      <button
                        type="button"
                        className="user-row"
                        id={`user-row-${row.index}`}
                        tabIndex={row.index === active ? 0 : -1}
                        onFocus={() => setActive(row.index)}
                        onClick={() => open(user.id)}
                        data-testid="user-row"
                      >
                        <span className="user-name">{user.name}</span>
                        <span className="user-email">{user.email}</span>
                        <span className="user-tenant muted">{user.tenantName}</span>
                        <span className="user-phone muted">{user.phoneHint ?? ''}</span>
                        <span className="user-badges">
                          <StatusBadges user={user} />
                        </span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </div>
          </>
        ) : null}
      </div>
      {search.isSuccess && cutShort ? <SearchProgress pages={pages} /> : null}
      {search.hasNextPage && (cutShort || !items.length || search.isFetchNextPageError) ? (
        <button
          type="button"
          onClick={() => void search.fetchNextPage()}
          disabled={search.isFetchingNextPage}
          data-testid="user-search-more"
        >
          {search.isFetchingNextPage ? t('users.loadingMore') : t('users.loadMore')}
        </button>
      ) : null}
      {search.isFetchingNextPage && !cutShort ? <p className="muted">{t('users.loadingMore')}</p> : null}
    </section>
  );
}
