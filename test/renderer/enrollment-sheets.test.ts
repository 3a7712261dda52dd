import { describe, expect, it } from 'vitest';
import { qrImageUrl, sheetDocument, sheetFileName } from '../../src/renderer/screens/enrollment-sheets/sheet-layout';
import { sheetCatalogs, sheetExpiry, sheetWords } from '../../src/renderer/screens/enrollment-sheets/sheet-words';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the printed enrollment sheet', () => {
  it('has every word in English, Norwegian and German, with the same placeholders', () => {
    const keys = Object.keys(sheetCatalogs.en).sort();
    for (const locale of ['nb', 'de'] as const) {
      expect(Object.keys(sheetCatalogs[locale]).sort()).toEqual(keys);
      for (const key of keys as Array<keyof typeof sheetCatalogs.en>) {
        expect(placeholders(sheetCatalogs[locale][key]), `${locale} ${key}`).toEqual(placeholders(sheetCatalogs.en[key]));
        expect(sheetCatalogs[locale][key], `${locale} ${key}`).not.toBe('');
      }
    }
    expect(sheetWords('de')('for', { name: 'Jürgen Müller' })).toBe('Für Jürgen Müller');
  });

  it('says until when in the user’s language, day before month', () => {
    const at = '2026-12-16T13:32:00.000Z';
    expect(sheetExpiry('en', at, 'Europe/Oslo')).toBe('16 December 2026 at 14:32');
    expect(sheetExpiry('nb', at, 'Europe/Oslo')).toBe('16. desember 2026 kl. 14:32');
    expect(sheetExpiry('de', at, 'Europe/Oslo')).toBe('16. Dezember 2026 um 14:32');
  });

  it('names the PDF after the tenant and the day', () => {
    expect(sheetFileName('acme-gmbh', new Date(2026, 11, 2, 23, 59))).toBe('enrollment-sheets-acme-gmbh-2026-12-02.pdf');
    expect(sheetFileName('Ærø Tech/..', new Date(2026, 0, 5))).toBe('enrollment-sheets-r-tech-2026-01-05.pdf');
  });

  it('draws the QR code here, as an SVG image that holds the URI only as modules', () => {
    const uri = 'otpauth://totp/Acme:ase%40example.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme';
    const url = qrImageUrl(uri);
    expect(url).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
    const svg = atob(url.slice(url.indexOf(',') + 1));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"/);
    expect(svg).not.toContain('JBSWY3DP');
    // The same URI, the same picture: nothing random or time-dependent in it.
    expect(qrImageUrl(uri)).toBe(url);
  });

  it('makes one self-contained document: the paper’s page rule, the fonts, the stylesheet, nothing to fetch', () => {
    const html = sheetDocument({
      pagesHtml: '<div class="sheet-pages"><article class="sheet-page" data-paper="letter">Łukasz</article></div>',
      css: '@page sheet-letter { size: letter; margin: 0; }',
      fontFaces: "@font-face { font-family: 'X'; src: url(data:font/woff2;base64,AAAA) format('woff2'); }",
      fontPreloads: '<link rel="preload" as="font" type="font/woff2" crossorigin href="data:font/woff2;base64,AAAA">',
      paper: 'letter',
      title: 'Sheets <for> "you"',
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@page { size: letter; margin: 0; }');
    expect(html).toContain('<title>Sheets &lt;for&gt; &quot;you&quot;</title>');
    expect(html).toContain('@page sheet-letter');
    expect(html).toContain('Łukasz');
    // The fonts are asked for while the page is parsed, before its styles.
    expect(html.indexOf('rel="preload" as="font"')).toBeLessThan(html.indexOf('<style>'));
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('<script');
    expect(sheetDocument({ pagesHtml: '', css: '', fontFaces: '', fontPreloads: '', paper: 'a4', title: '' })).toContain(
      '@page { size: A4; margin: 0; }',
    );
  });
});
