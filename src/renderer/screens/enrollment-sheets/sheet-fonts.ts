import latin400 from '../../../../resources/fonts/noto-sans-latin-400-normal.woff2?inline';
import latin700 from '../../../../resources/fonts/noto-sans-latin-700-normal.woff2?inline';
import latinExt400 from '../../../../resources/fonts/noto-sans-latin-ext-400-normal.woff2?inline';
import latinExt700 from '../../../../resources/fonts/noto-sans-latin-ext-700-normal.woff2?inline';
import mono400 from '../../../../resources/fonts/noto-sans-mono-latin-400-normal.woff2?inline';

/**
 * The sheets' fonts (resources/fonts: Noto Sans, OFL), the same bytes for the preview and the PDF:
 * names such as Ærøskøbing, Müller and Łukasz print in the face the operator saw. The families have
 * names of their own, so a font installed on this computer under the same name never stands in.
 */
export const sheetFamilies = { text: 'MFA Desk Sheet Sans', mono: 'MFA Desk Sheet Mono' } as const;

// Latin-1 and Latin Extended, split where the font's own subsets split (Fontsource's unicode ranges).
const latinRange =
  'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD';
const latinExtRange =
  'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF';

interface SheetFont {
  family: string;
  weight: 400 | 700;
  unicodeRange: string;
  dataUrl: string;
}

const fonts: readonly SheetFont[] = [
  { family: sheetFamilies.text, weight: 400, unicodeRange: latinRange, dataUrl: latin400 },
  { family: sheetFamilies.text, weight: 700, unicodeRange: latinRange, dataUrl: latin700 },
  { family: sheetFamilies.text, weight: 400, unicodeRange: latinExtRange, dataUrl: latinExt400 },
  { family: sheetFamilies.text, weight: 700, unicodeRange: latinExtRange, dataUrl: latinExt700 },
  { family: sheetFamilies.mono, weight: 400, unicodeRange: latinRange, dataUrl: mono400 },
];

/** The @font-face rules of the PDF's document, each font a data: URL (the print-only CSP allows `font-src data:` only). */
export function sheetFontFaces(): string {
  return fonts
    .map(
      (font) =>
        `@font-face { font-family: '${font.family}'; font-style: normal; font-weight: ${font.weight}; font-display: block; ` +
        `src: url(${font.dataUrl}) format('woff2'); unicode-range: ${font.unicodeRange}; }`,
    )
    .join('\n');
}

/**
 * The same fonts as preloads, for the top of the PDF's document. A font named only in @font-face
 * is fetched when the page is first laid out, which for a page printed at once is the printing
 * itself: headless Chromium then printed the bold Latin Extended text (a name like Łukasz, and
 * every bold line that shares its face's block) as nothing, the font still on its way. A preload
 * starts while the page is parsed and holds the load event, which both engines wait for before
 * they print.
 */
export function sheetFontPreloads(): string {
  return fonts.map((font) => `<link rel="preload" as="font" type="font/woff2" crossorigin href="${font.dataUrl}">`).join('\n');
}

function bytesOf(dataUrl: string): ArrayBuffer {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

let loaded: Promise<void> | null = null;

/**
 * The same fonts in the console itself, for the preview and window.print(). Given to the page as
 * bytes (the FontFace API), not as URLs: the console's CSP allows fonts from 'self' only, and
 * bytes are nothing fetched. Once per run.
 */
export function loadSheetFonts(): Promise<void> {
  loaded ??= Promise.all(
    fonts.map(async (font) => {
      const face = new FontFace(font.family, bytesOf(font.dataUrl), {
        weight: String(font.weight),
        style: 'normal',
        unicodeRange: font.unicodeRange,
      });
      document.fonts.add(await face.load());
    }),
  ).then(() => undefined);
  return loaded;
}
