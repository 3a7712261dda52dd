import { h, say } from './dom.js';
import { fill, formatTime, type Language } from './i18n.js';

/**
 * The recovery-codes step of an enrollment, as the invitation page and the hosted sign-in both show
 * it: the codes, shown this once, with Copy, Download (a .txt file) and Print, and a checkbox that
 * must be ticked before the page goes on (skipping that step is what locks people out). The page
 * puts the parts under its own heading (`recoveryCodesHeading`) and, once the box is ticked and
 * Finish pressed, sends POST /v1/enroll/complete itself.
 *
 * The styles live in each page's styles.css (the server serves base.css and the page's own file
 * only): `.warning`, `.codes`, `.check.saved`, `.no-print`, `.print-only` and the print rules.
 */

/** The step's words; both pages spread them into their catalogs, so the step reads the same on both. */
const en = {
  recoveryCodesHeading: 'Save your recovery codes',
  recoveryWhy: 'If you lose your phone or get a new one, a recovery code gets you in. Each code works once.',
  recoveryWarning: 'They are shown only now. Without them, losing your phone locks you out of your account.',
  recoveryWhere: 'Keep them somewhere safe that is not your phone: in a password manager, or printed on paper.',
  recoveryListLabel: 'Your recovery codes',
  copy: 'Copy',
  copied: 'The codes are copied. Paste them somewhere safe.',
  copyFailed: 'Copying did not work here. Select the codes and copy them, or use Download.',
  download: 'Download',
  downloaded: 'Downloaded as {file}.',
  print: 'Print',
  savedCheck: 'I have saved my recovery codes',
  finish: 'Finish',
  finishing: 'Finishing…',
  errorNotSaved: 'Save your recovery codes first, then tick “I have saved my recovery codes”.',
  fileName: 'recovery-codes',
  fileHeader: 'Recovery codes for {email} ({tenant})',
  fileMade: 'Made {time}. Each code works once. Keep them somewhere safe.',
};

export type RecoveryCodesTexts = typeof en;

const nb: RecoveryCodesTexts = {
  recoveryCodesHeading: 'Lagre gjenopprettingskodene',
  recoveryWhy: 'Mister du mobilen eller bytter til en ny, kommer du inn med en gjenopprettingskode. Hver kode virker én gang.',
  recoveryWarning: 'De vises bare nå. Uten dem blir du sperret ute av kontoen hvis du mister mobilen.',
  recoveryWhere: 'Oppbevar dem et trygt sted som ikke er mobilen: i en passordbehandler, eller utskrevet på papir.',
  recoveryListLabel: 'Gjenopprettingskodene dine',
  copy: 'Kopier',
  copied: 'Kodene er kopiert. Lim dem inn et trygt sted.',
  copyFailed: 'Kopiering virket ikke her. Merk kodene og kopier dem, eller bruk Last ned.',
  download: 'Last ned',
  downloaded: 'Lastet ned som {file}.',
  print: 'Skriv ut',
  savedCheck: 'Jeg har lagret gjenopprettingskodene mine',
  finish: 'Fullfør',
  finishing: 'Fullfører …',
  errorNotSaved: 'Lagre gjenopprettingskodene først, og kryss deretter av for «Jeg har lagret gjenopprettingskodene mine».',
  fileName: 'gjenopprettingskoder',
  fileHeader: 'Gjenopprettingskoder for {email} ({tenant})',
  fileMade: 'Laget {time}. Hver kode virker én gang. Oppbevar dem et trygt sted.',
};

const de: RecoveryCodesTexts = {
  recoveryCodesHeading: 'Wiederherstellungscodes speichern',
  recoveryWhy:
    'Wenn Sie Ihr Handy verlieren oder ein neues bekommen, kommen Sie mit einem Wiederherstellungscode hinein. Jeder Code funktioniert einmal.',
  recoveryWarning: 'Sie werden nur jetzt angezeigt. Ohne sie sperren Sie sich aus Ihrem Konto aus, wenn Sie Ihr Handy verlieren.',
  recoveryWhere: 'Bewahren Sie sie sicher auf, aber nicht auf dem Handy: in einem Passwortmanager oder ausgedruckt auf Papier.',
  recoveryListLabel: 'Ihre Wiederherstellungscodes',
  copy: 'Kopieren',
  copied: 'Die Codes sind kopiert. Fügen Sie sie an einem sicheren Ort ein.',
  copyFailed: 'Kopieren hat hier nicht funktioniert. Markieren und kopieren Sie die Codes, oder nutzen Sie „Herunterladen“.',
  download: 'Herunterladen',
  downloaded: 'Als {file} heruntergeladen.',
  print: 'Drucken',
  savedCheck: 'Ich habe meine Wiederherstellungscodes gespeichert',
  finish: 'Abschließen',
  finishing: 'Wird abgeschlossen …',
  errorNotSaved:
    'Speichern Sie zuerst Ihre Wiederherstellungscodes und setzen Sie dann das Häkchen bei „Ich habe meine Wiederherstellungscodes gespeichert“.',
  fileName: 'wiederherstellungscodes',
  fileHeader: 'Wiederherstellungscodes für {email} ({tenant})',
  fileMade: 'Erstellt {time}. Jeder Code funktioniert einmal. Bewahren Sie sie sicher auf.',
};

export const recoveryCodesCatalogs: Record<Language, RecoveryCodesTexts> = { en, nb, de };

export interface RecoveryCodesOptions {
  codes: readonly string[];
  t: RecoveryCodesTexts;
  language: Language;
  /** Whose codes: on paper and in the downloaded file. */
  account: { email: string; tenant: string };
  /** The page's live regions (there from the start, so what is said in them is announced). */
  regions: { status: HTMLElement; alert: HTMLElement };
  /**
   * The box is ticked and Finish pressed: the page completes the enrollment. `finish` is disabled
   * meanwhile and "Finishing…" said; on a refusal the page enables it again and says why.
   */
  onFinish: (finish: HTMLButtonElement) => void;
}

/** The text of the downloaded file: who, when, the codes; CRLF, so it opens as lines in every editor (old Notepad too). */
export function recoveryFileText(
  t: RecoveryCodesTexts,
  language: Language,
  account: RecoveryCodesOptions['account'],
  codes: readonly string[],
) {
  return [fill(t.fileHeader, account), fill(t.fileMade, { time: formatTime(language, Date.now()) }), '', ...codes, ''].join('\r\n');
}

/** The step's parts (without its heading), wired up; the page shows them under `t.recoveryCodesHeading`. */
export function recoveryCodesStep(options: RecoveryCodesOptions): HTMLElement[] {
  const { codes, t, language, account, regions } = options;
  const list = h(
    'ol',
    { class: 'codes', id: 'recovery-codes', 'aria-label': t.recoveryListLabel },
    ...codes.map((code) => h('li', {}, h('code', { 'data-testid': 'recovery-code' }, code))),
  );
  const copy = h('button', { type: 'button', id: 'copy-codes' }, t.copy);
  const download = h('button', { type: 'button', id: 'download-codes' }, t.download);
  const print = h('button', { type: 'button', id: 'print-codes' }, t.print);
  const saved = h('input', { type: 'checkbox', id: 'codes-saved', name: 'codes-saved', 'aria-describedby': 'recovery-warning' });
  const finish = h('button', { type: 'submit', class: 'primary' }, t.finish);
  const form = h(
    'form',
    { id: 'finish-form', class: 'no-print', novalidate: true },
    h('div', { class: 'check saved' }, saved, h('label', { for: 'codes-saved' }, t.savedCheck)),
    h('div', { class: 'actions' }, finish),
  );

  copy.addEventListener('click', () => {
    const fallback = () => {
      getSelection()?.selectAllChildren(list);
      say(regions.status, t.copyFailed, 'error');
    };
    if (!navigator.clipboard?.writeText) return fallback();
    navigator.clipboard.writeText(codes.join('\n')).then(() => say(regions.status, t.copied, 'success'), fallback);
  });
  download.addEventListener('click', () => {
    const file = `${t.fileName}.txt`;
    const url = URL.createObjectURL(new Blob([recoveryFileText(t, language, account, codes)], { type: 'text/plain;charset=utf-8' }));
    const link = h('a', { href: url, download: file, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(regions.status, fill(t.downloaded, { file }), 'success');
  });
  print.addEventListener('click', () => window.print());
  saved.addEventListener('change', () => {
    if (!saved.checked) return;
    saved.removeAttribute('aria-invalid');
    say(regions.alert, '');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!saved.checked) {
      saved.setAttribute('aria-invalid', 'true');
      say(regions.alert, t.errorNotSaved, 'error');
      saved.focus();
      return;
    }
    finish.disabled = true;
    say(regions.alert, '');
    say(regions.status, t.finishing);
    options.onFinish(finish);
  });

  return [
    h('p', { class: 'print-only' }, fill(t.fileHeader, account)),
    h('p', {}, t.recoveryWhy),
    h('p', { class: 'warning', id: 'recovery-warning' }, h('strong', {}, t.recoveryWarning)),
    h('p', {}, t.recoveryWhere),
    list,
    h('div', { class: 'actions no-print' }, copy, download, print),
    form,
  ];
}
