/**
 * The three languages the product speaks to end users, and the one rule for reading a list of
 * language tags (a browser's, a portal's ui_locales, an Accept-Language header) into one of them:
 * the first the pages speak wins, and Norwegian in any form (no, nn, nb) reads Bokmål.
 */
export const pageLanguages = ['en', 'nb', 'de'] as const;
export type PageLanguage = (typeof pageLanguages)[number];

/** The first tag the pages speak, or null when none of them is. */
export function matchPageLanguage(tags: readonly string[]): PageLanguage | null {
  for (const tag of tags) {
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb';
    if (primary === 'de') return 'de';
    if (primary === 'en') return 'en';
  }
  return null;
}
