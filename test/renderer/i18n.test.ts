import { describe, expect, it } from 'vitest';
import { consoleErrorCodes } from '../../src/shared/console-api';
import { catalogs, format, pickLocale } from '../../src/renderer/i18n/catalogs';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('i18n catalogs (en, nb, de)', () => {
  const english = catalogs.en;

  it('every language has every key, none empty, with the same placeholders', () => {
    for (const [locale, catalog] of Object.entries(catalogs)) {
      expect(Object.keys(catalog).sort(), locale).toEqual(Object.keys(english).sort());
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholders(text), `${locale} ${key}`).toEqual(placeholders(english[key as keyof typeof english]));
      }
    }
  });

  it('has a sentence for every error code the bridge can answer', () => {
    for (const code of consoleErrorCodes) expect(Object.keys(english)).toContain(`error.${code}`);
  });

  it('picks the operator’s choice, else the system language, else English', () => {
    expect(pickLocale('de', ['nb-NO'])).toBe('de');
    expect(pickLocale(null, ['nn-NO', 'en-US'])).toBe('nb');
    expect(pickLocale(null, ['no'])).toBe('nb');
    expect(pickLocale(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(pickLocale(null, ['fr-FR'])).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('Signed in as {name}', { name: 'Sam' })).toBe('Signed in as Sam');
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
