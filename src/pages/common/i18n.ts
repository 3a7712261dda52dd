/**
 * The words of the end-user pages, in the three languages the product speaks (en, nb, de), chosen
 * from the browser's languages. A catalog is a flat record of sentences with `{name}` holes; the
 * English one is the source, and the other two must name every key of it (the compiler checks).
 */
import { matchPageLanguage, type PageLanguage } from '../../shared/languages.js';

export type Language = PageLanguage;

/** The first of `preferred` the pages speak (shared/languages.ts), else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  return matchPageLanguage(preferred) ?? 'en';
}

/** The browser's languages, most preferred first (a worker has navigator.language only on old engines). */
export function browserLanguages(nav: { languages?: readonly string[]; language?: string }): readonly string[] {
  return nav.languages && nav.languages.length ? nav.languages : [nav.language ?? 'en'];
}

/** Fills `{name}` holes; a hole without a value reads "-". */
export function fill(sentence: string, values: Record<string, string | number | null | undefined> = {}): string {
  return sentence.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    return value === null || value === undefined ? '-' : String(value);
  });
}

/** "1:05", "12:00": minutes and seconds left, never negative. */
export function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** A date and time in the page's language, in the browser's time zone. */
export function formatTime(language: Language, at: string | number | Date): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** "9 December 2026 at 10:00" in the page's language, in the browser's time zone. */
export function formatWhen(language: Language, at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(date);
}

/** "Chrome on Linux" from a User-Agent, for a default device name; the words are the brands', not translated. */
export function describeBrowser(userAgent: string): { browser: string; os: string } {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /(Chrome|Chromium|CriOS)\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : 'Browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : 'unknown';
  return { browser, os };
}
