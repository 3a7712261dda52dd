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

/** `{name}` placeholders filled in; a missing value stays visible rather than silently vanishing. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
