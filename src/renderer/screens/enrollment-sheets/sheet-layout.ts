import QRCode from 'qrcode';

/**
 * The printed sheets' paper and the one HTML document the PDF is made from. Pure (no DOM), so the
 * same functions run in the console and in the Node tests.
 */

export const papers = ['a4', 'letter'] as const;
export type Paper = (typeof papers)[number];

/** The CSS `size` of each paper (the named @page rules in sheet.css use the same). */
export const paperSize: Record<Paper, string> = { a4: 'A4', letter: 'letter' };

/**
 * The QR code of an otpauth URI, drawn here (never by a web service): an SVG image as a data: URL,
 * base64 so the markup carries no URL-looking text (the SVG namespace) at all. Error correction M
 * and the standard quiet zone of four modules: what phone scanners read best from paper.
 */
export function qrImageUrl(text: string): string {
  let svg = '';
  QRCode.toString(
    text,
    { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } },
    (error, out) => {
      if (error) throw error;
      svg = out;
    },
  );
  if (!svg) throw new Error('the QR code could not be drawn');
  // The SVG is ASCII (path data and attributes only): btoa takes it as it is.
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}

/** `enrollment-sheets-acme-2026-12-02.pdf`: the tenant and the day it was printed (this computer's date). */
export function sheetFileName(tenantSlug: string, when: Date): string {
  const day = [when.getFullYear(), String(when.getMonth() + 1).padStart(2, '0'), String(when.getDate()).padStart(2, '0')].join('-');
  const slug =
    tenantSlug
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'tenant';
  return `enrollment-sheets-${slug}-${day}.pdf`;
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The whole printable document: the preview's pages (their markup as the console rendered it), the
 * same stylesheet, and the fonts as data: URLs, in one file with nothing to fetch. Main adds the
 * print-only CSP (no script, no fetches) before the page is printed.
 */
export function sheetDocument(options: {
  pagesHtml: string;
  css: string;
  fontFaces: string;
  /** `<link rel="preload">` of each font (sheet-fonts.ts says why). */
  fontPreloads: string;
  paper: Paper;
  title: string;
}): string {
  // The default page follows the chosen paper too, for engines that print before reading named pages.
  const pageRule = `@page { size: ${paperSize[options.paper]}; margin: 0; }`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeText(options.title)}</title>`,
    options.fontPreloads,
    `<style>\n${options.fontFaces}\n${pageRule}\n${options.css}\n</style>`,
    '</head>',
    `<body class="sheet-document">${options.pagesHtml}</body>`,
    '</html>',
  ].join('\n');
}
