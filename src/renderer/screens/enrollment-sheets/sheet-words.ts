import type { EnrollmentSheet } from '../../../shared/api/tenant-admin';
import { format } from '../../i18n/catalogs';

/**
 * What a printed sheet says, in the language of the user it is for (not the operator's: a German
 * admin prints a Norwegian colleague's sheet in Norwegian). Its own small catalog, since the
 * console's catalogs follow the operator.
 */
const en = {
  confidential: 'Personal and confidential',
  heading: 'Set up your authenticator app',
  for: 'For {name}',
  account: 'Account: {email}',
  intro: '{tenant} asks for a code from an authenticator app when you sign in. This sheet sets it up.',
  step1:
    'Install an authenticator app on your phone: for example Google Authenticator, Microsoft Authenticator or any other app that shows six-digit codes.',
  step2:
    'In the app, add an account and scan the QR code on this sheet. If you cannot scan it, choose to enter a setup key and type the key below.',
  step3: 'Sign in as usual with your email address and password. When you are asked for a code, type the six-digit code the app shows.',
  step4: 'You then get recovery codes. Keep them somewhere safe: they let you in if you lose your phone.',
  qrAlt: 'QR code for the authenticator app',
  keyLabel: 'Setup key, to type by hand',
  keyHint: 'Only the letters A–Z and the digits 2–7; the spaces do not matter.',
  appShows: 'The app lists it as: {issuer} ({account})',
  validUntil: 'Valid until {date}.',
  afterExpiry: 'After that, ask your administrator for a new sheet.',
  private: 'Keep this sheet private: whoever holds it can set up codes for your account. Destroy it once you are set up.',
} as const;

export type SheetWordKey = keyof typeof en;
export type SheetLocale = EnrollmentSheet['locale'];

const nb: Record<SheetWordKey, string> = {
  confidential: 'Personlig og fortrolig',
  heading: 'Sett opp autentiseringsappen din',
  for: 'For {name}',
  account: 'Konto: {email}',
  intro: '{tenant} ber om en kode fra en autentiseringsapp når du logger inn. Med dette arket setter du den opp.',
  step1:
    'Installer en autentiseringsapp på telefonen, for eksempel Google Authenticator, Microsoft Authenticator eller en annen app som viser sekssifrede koder.',
  step2:
    'Legg til en konto i appen og skann QR-koden på dette arket. Får du ikke skannet den, velger du å skrive inn en oppsettsnøkkel og skriver inn nøkkelen nedenfor.',
  step3:
    'Logg inn som vanlig med e-postadressen og passordet ditt. Når du blir bedt om en kode, skriver du inn den sekssifrede koden appen viser.',
  step4: 'Deretter får du gjenopprettingskoder. Oppbevar dem trygt: med dem kommer du inn hvis du mister telefonen.',
  qrAlt: 'QR-kode for autentiseringsappen',
  keyLabel: 'Oppsettsnøkkel, for å skrive inn for hånd',
  keyHint: 'Bare bokstavene A–Z og sifrene 2–7; mellomrommene spiller ingen rolle.',
  appShows: 'Appen viser den som: {issuer} ({account})',
  validUntil: 'Gyldig til {date}.',
  afterExpiry: 'Etter det ber du administratoren om et nytt ark.',
  private: 'Hold arket for deg selv: den som har det, kan sette opp koder for kontoen din. Makuler det når du er ferdig.',
};

const de: Record<SheetWordKey, string> = {
  confidential: 'Persönlich und vertraulich',
  heading: 'Richten Sie Ihre Authenticator-App ein',
  for: 'Für {name}',
  account: 'Konto: {email}',
  intro: '{tenant} verlangt bei der Anmeldung einen Code aus einer Authenticator-App. Mit diesem Blatt richten Sie sie ein.',
  step1:
    'Installieren Sie eine Authenticator-App auf Ihrem Smartphone, zum Beispiel Google Authenticator, Microsoft Authenticator oder eine andere App, die sechsstellige Codes anzeigt.',
  step2:
    'Fügen Sie in der App ein Konto hinzu und scannen Sie den QR-Code auf diesem Blatt. Klappt das Scannen nicht, wählen Sie die Eingabe eines Einrichtungsschlüssels und tippen Sie den Schlüssel unten ab.',
  step3:
    'Melden Sie sich wie gewohnt mit Ihrer E-Mail-Adresse und Ihrem Passwort an. Werden Sie nach einem Code gefragt, geben Sie den sechsstelligen Code aus der App ein.',
  step4:
    'Danach erhalten Sie Wiederherstellungscodes. Bewahren Sie sie sicher auf: Mit ihnen kommen Sie hinein, wenn Sie Ihr Smartphone verlieren.',
  qrAlt: 'QR-Code für die Authenticator-App',
  keyLabel: 'Einrichtungsschlüssel zum Abtippen',
  keyHint: 'Nur die Buchstaben A–Z und die Ziffern 2–7; Leerzeichen spielen keine Rolle.',
  appShows: 'Die App zeigt es so an: {issuer} ({account})',
  validUntil: 'Gültig bis {date}.',
  afterExpiry: 'Danach bitten Sie Ihren Administrator um ein neues Blatt.',
  private:
    'Bewahren Sie dieses Blatt vertraulich auf: Wer es hat, kann Codes für Ihr Konto einrichten. Vernichten Sie es nach der Einrichtung.',
};

export const sheetCatalogs: Record<SheetLocale, Record<SheetWordKey, string>> = { en, nb, de };

/** Day before month, spelled out ("16 December 2026"): read the same way by everyone the sheet may reach. */
const dateLocales: Record<SheetLocale, string> = { en: 'en-GB', nb: 'nb-NO', de: 'de-DE' };

export type SheetTranslate = (key: SheetWordKey, values?: Record<string, string | number>) => string;

/** The sheet's words in `locale`, filled in like the console's own. */
export function sheetWords(locale: SheetLocale): SheetTranslate {
  return (key, values) => format(sheetCatalogs[locale][key], values, locale);
}

/**
 * "16 December 2026 at 14:32" in the user's language; the time is this computer's, where the
 * sheet is printed (the sheet stops working at that minute, not at the end of the day).
 */
export function sheetExpiry(locale: SheetLocale, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(dateLocales[locale], { dateStyle: 'long', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(
    new Date(iso),
  );
}
