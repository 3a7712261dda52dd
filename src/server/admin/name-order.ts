/**
 * Lists for the console's filters are sorted here rather than by the database: SQLite compares bytes
 * and PostgreSQL its cluster's collation, so "Ørsta" and "acme" would come in different orders on the
 * two. One locale-neutral collation (case and accents second, numbers by value) gives both the same.
 */
const collator = new Intl.Collator('en', { sensitivity: 'variant', numeric: true });

/** Sorts by name, then by `tieBreak` (a unique field), so equal names keep a stable order. */
export function sortByName<T extends { name: string }>(items: T[], tieBreak: (item: T) => string): T[] {
  return items.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(tieBreak(a), tieBreak(b)));
}
