import type { ConsoleLocale } from '../../shared/console-api';
import { de } from './de';
import { en, type MessageKey } from './en';
import { nb } from './nb';

export type { MessageKey };
export const catalogs: Record<ConsoleLocale, Record<MessageKey, string>> = { en, nb, de };

/** The operator's choice, else the first system language we have (Norwegian variants -> nb), else English. */
export function pickLocale(preferred: ConsoleLocale | null, systemLanguages: readonly string[]): ConsoleLocale {
  if (preferred) return preferred;
  for (const tag of systemLanguages) {
    const language = tag.toLowerCase().split('-')[0];
    if (language === 'nb' || language === 'no' || language === 'nn') return 'nb';
    if (language === 'de') return 'de';
    if (language === 'en') return 'en';
  }
  return 'en';
}

const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();
function cached<T>(map: Map<string, T>, locale: string, make: () => T): T {
  let value = map.get(locale);
  if (!value) map.set(locale, (value = make()));
  return value;
}

/**
 * `{count, plural, one {# code} other {# codes}}`: the branch Intl.PluralRules picks for the
 * language (exact `=0` first), `#` the number written the language's way. The ICU MessageFormat
 * subset the catalogs need, so translators keep one key per sentence with the forms inside it.
 */
const pluralPattern = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*(?:\{\w+\}[^{}]*)*\})+)\s*\}/g;
const branchPattern = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*(?:\{\w+\}[^{}]*)*)\}/g;

/** Placeholders filled in (plurals first); a missing value stays visible rather than silently vanishing. */
export function format(template: string, values: Record<string, string | number> = {}, locale = 'en'): string {
  const plural = template.replace(pluralPattern, (whole, name: string, body: string) => {
    const value = values[name];
    if (typeof value !== 'number') return whole;
    const branches = new Map([...body.matchAll(branchPattern)].map((m) => [m[1]!, m[2]!]));
    const chosen =
      branches.get(`=${value}`) ??
      branches.get(cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(value)) ??
      branches.get('other') ??
      whole;
    return chosen.replace(/#/g, cached(numberFormats, locale, () => new Intl.NumberFormat(locale)).format(value));
  });
  return plural.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
