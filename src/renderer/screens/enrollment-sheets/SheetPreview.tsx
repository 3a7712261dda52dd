import { useEffect, useId, useRef, useState } from 'react';
import type { EnrollmentSheet } from '../../../shared/api/tenant-admin';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useSaveSheetsPdf } from '../../hooks/use-enrollment-sheets';
import { useI18n } from '../../i18n/I18nProvider';
import { SheetPage } from './SheetPage';
import { loadSheetFonts, sheetFontFaces, sheetFontPreloads } from './sheet-fonts';
import { papers, sheetDocument, sheetFileName, type Paper } from './sheet-layout';
import sheetCss from './sheet.css?raw';
import './sheet.css';
import './sheet-preview.css';

/** Where Letter is the paper in the tray (the Americas that use it, and the Philippines); A4 elsewhere. */
const letterRegions = new Set(['US', 'CA', 'MX', 'PH', 'CL', 'CO', 'VE', 'GT', 'PR', 'CR', 'DO', 'SV', 'PA']);

function defaultPaper(): Paper {
  try {
    const region = new Intl.Locale(navigator.language).maximize().region;
    return region && letterRegions.has(region) ? 'letter' : 'a4';
  } catch {
    return 'a4';
  }
}

/**
 * The print preview: the pages exactly as they print (the same components and CSS, the same fonts),
 * on A4 or US Letter; Print opens the system's print dialog (a print stylesheet leaves only the
 * pages), Save PDF has main print this markup to a file on this computer. Close forgets the sheets:
 * they were only ever in this screen's memory.
 */
export function SheetPreview({
  sheets,
  tenantSlug,
  onClose,
}: {
  sheets: readonly EnrollmentSheet[];
  tenantSlug: string;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const [paper, setPaper] = useState<Paper>(defaultPaper);
  const [fontsReady, setFontsReady] = useState(false);
  const pages = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const save = useSaveSheetsPdf();
  const ids = { title: useId(), paper: useId() };
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    let live = true;
    // Without the fonts the pages still show (in a fallback face); Print and Save wait for them.
    const ready = () => void (live && setFontsReady(true));
    loadSheetFonts().then(ready, ready);
    return () => void (live = false);
  }, []);
  const { reset } = save;
  useEffect(() => () => reset(), [reset]);

  const savePdf = () => {
    if (!pages.current || save.isPending) return;
    const html = sheetDocument({
      pagesHtml: pages.current.outerHTML,
      css: sheetCss,
      fontFaces: sheetFontFaces(),
      fontPreloads: sheetFontPreloads(),
      paper,
      title: t('sheets.preview.documentTitle'),
    });
    save.mutate({ html, paper, fileName: sheetFileName(tenantSlug, new Date()) });
  };
  const kilobytes = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });
  return (
    <section aria-labelledby={ids.title} className="sheet-preview" data-testid="sheet-preview">
      <div className="sheet-preview-bar">
        <h1 id={ids.title} ref={heading} tabIndex={-1}>
          {t('sheets.preview.title', { count: sheets.length })}
        </h1>
        <p className="message message-warning">{t('sheets.preview.secret')}</p>
        <div className="toolbar">
          <fieldset className="paper-choice">
            <legend id={ids.paper}>{t('sheets.preview.paper')}</legend>
            {papers.map((name) => (
              <label key={name}>
                <input
                  type="radio"
                  name={ids.paper}
                  value={name}
                  checked={paper === name}
                  onChange={() => setPaper(name)}
                  data-testid={`paper-${name}`}
                />{' '}
                {t(`sheets.paper.${name}`)}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button type="button" className="primary" onClick={() => window.print()} disabled={!fontsReady} data-testid="sheets-print">
              {t('sheets.preview.print')}
            </button>
            <button
              type="button"
              onClick={savePdf}
              disabled={!fontsReady || save.isPending}
              aria-busy={save.isPending}
              data-testid="sheets-save-pdf"
            >
              {save.isPending ? t('sheets.preview.saving') : t('sheets.preview.savePdf')}
            </button>
            <button type="button" onClick={onClose} data-testid="sheets-close">
              {t('sheets.preview.close')}
            </button>
          </div>
        </div>
        <p role="status" className="muted" data-testid="sheets-saved">
          {save.data
            ? t('sheets.preview.saved', {
                file: save.data.fileName,
                size: kilobytes.format(Math.max(1, Math.round(save.data.bytes / 1000))),
              })
            : ''}
        </p>
        <ErrorMessage error={save.error} />
        <p className="muted">{t('sheets.preview.closeNote')}</p>
      </div>
      {/* Focusable so the pages can be scrolled from the keyboard. */}
      <div className="sheet-preview-scroll" role="region" aria-label={t('sheets.preview.pages')} tabIndex={0}>
        <div className="sheet-pages" ref={pages}>
          {sheets.map((sheet) => (
            <SheetPage key={sheet.sheetId} sheet={sheet} paper={paper} />
          ))}
        </div>
      </div>
    </section>
  );
}
