import { browserLanguages, pickLanguage, type Language } from '../common/i18n.js';

/**
 * The phone reset page's words (the link support emails: /phone-reset/{token}). English is the
 * source; nb and de name every key (the compiler checks). The person is not signed in, so the page
 * speaks the browser's language.
 */
const en = {
  title: 'Set a new phone number',
  opening: 'Opening the link…',
  intro: 'Support sent you this link so that you can set up a new mobile number for the codes you get when you sign in.',
  accountLabel: 'Account',
  tenantLabel: 'Organisation',
  currentLabel: 'Current number',
  noCurrent: 'None',
  validUntilLabel: 'The link works until',
  phoneLabel: 'New mobile number',
  phoneHint: 'Type it as you usually do. A number from another country starts with its country code, such as +46 70 123 45 67.',
  sendCode: 'Send a code',
  sending: 'Sending the code…',
  codeHeading: 'Type the code from the SMS',
  codeSent: 'We sent a code to {to}. It works until {time}.',
  codesLeft: 'Codes left today: {count}.',
  codeLabel: 'Code from the SMS',
  codeHint: 'Six digits. Spaces and dashes do not matter.',
  confirm: 'Confirm the new number',
  confirming: 'Checking the code…',
  another: 'Send a new code, or use another number',
  doneHeading: 'Your phone number is changed',
  done: 'Your phone number is now {to}.',
  doneEffects:
    'Remembered devices and sessions have ended: the next sign-in asks for a code, sent to the new number. We have emailed you about the change. You can close this page.',
  problemHeading: 'This link does not work',
  tryAgain: 'Try again',
  error_not_found: 'This link is not valid. Ask support for a new one.',
  error_link_expired: 'This link has expired or was already used. Ask support for a new one if you still need it.',
  error_phone_empty: 'Type your new mobile number.',
  error_invalid_phone: 'That is not a mobile number we can read. Check it and type it again.',
  error_sms_country: 'Codes cannot be sent to numbers from that country. Use another number, or ask support.',
  error_sms_limit: 'No more codes can be sent to set up a number today. Try again tomorrow.',
  error_code_digits: 'Type the six digits of the code, such as 123 456.',
  error_invalid_code: 'That code is wrong.',
  attemptsLeft: 'Tries left: {count}.',
  error_code_spent: 'That code no longer works. Send a new code.',
  error_too_many: 'Too many attempts. Wait a little and try again.',
  error_network: 'The server could not be reached. Check the connection and try again.',
  error_other: 'Something went wrong on our side ({status}). Try again; if it happens again, tell support.',
};

export type Texts = typeof en;

const nb: Texts = {
  title: 'Registrer nytt telefonnummer',
  opening: 'Åpner lenken …',
  intro: 'Brukerstøtte har sendt deg denne lenken slik at du kan sette opp et nytt mobilnummer for kodene du får når du logger inn.',
  accountLabel: 'Konto',
  tenantLabel: 'Organisasjon',
  currentLabel: 'Nåværende nummer',
  noCurrent: 'Ingen',
  validUntilLabel: 'Lenken virker til',
  phoneLabel: 'Nytt mobilnummer',
  phoneHint: 'Skriv det slik du pleier. Et nummer fra et annet land begynner med landskoden, for eksempel +46 70 123 45 67.',
  sendCode: 'Send en kode',
  sending: 'Sender koden …',
  codeHeading: 'Skriv inn koden fra SMS-en',
  codeSent: 'Vi sendte en kode til {to}. Den virker til {time}.',
  codesLeft: 'Koder igjen i dag: {count}.',
  codeLabel: 'Koden fra SMS-en',
  codeHint: 'Seks sifre. Mellomrom og bindestreker spiller ingen rolle.',
  confirm: 'Bekreft det nye nummeret',
  confirming: 'Sjekker koden …',
  another: 'Send en ny kode, eller bruk et annet nummer',
  doneHeading: 'Telefonnummeret ditt er endret',
  done: 'Telefonnummeret ditt er nå {to}.',
  doneEffects:
    'Huskede enheter og økter er avsluttet: neste innlogging ber om en kode, sendt til det nye nummeret. Vi har sendt deg en e-post om endringen. Du kan lukke siden.',
  problemHeading: 'Denne lenken virker ikke',
  tryAgain: 'Prøv igjen',
  error_not_found: 'Denne lenken er ikke gyldig. Be brukerstøtte om en ny.',
  error_link_expired: 'Denne lenken er utløpt eller allerede brukt. Be brukerstøtte om en ny hvis du fortsatt trenger den.',
  error_phone_empty: 'Skriv inn det nye mobilnummeret ditt.',
  error_invalid_phone: 'Det er ikke et mobilnummer vi kan lese. Sjekk det og skriv det inn igjen.',
  error_sms_country: 'Koder kan ikke sendes til numre fra det landet. Bruk et annet nummer, eller spør brukerstøtte.',
  error_sms_limit: 'Det kan ikke sendes flere koder for å sette opp et nummer i dag. Prøv igjen i morgen.',
  error_code_digits: 'Skriv inn de seks sifrene i koden, for eksempel 123 456.',
  error_invalid_code: 'Koden er feil.',
  attemptsLeft: 'Forsøk igjen: {count}.',
  error_code_spent: 'Den koden virker ikke lenger. Send en ny kode.',
  error_too_many: 'For mange forsøk. Vent litt og prøv igjen.',
  error_network: 'Fikk ikke kontakt med serveren. Sjekk forbindelsen og prøv igjen.',
  error_other: 'Noe gikk galt hos oss ({status}). Prøv igjen; skjer det igjen, si fra til kundestøtten.',
};

const de: Texts = {
  title: 'Neue Handynummer festlegen',
  opening: 'Der Link wird geöffnet …',
  intro: 'Der Support hat Ihnen diesen Link geschickt, damit Sie eine neue Handynummer für die Codes bei der Anmeldung einrichten können.',
  accountLabel: 'Konto',
  tenantLabel: 'Organisation',
  currentLabel: 'Aktuelle Nummer',
  noCurrent: 'Keine',
  validUntilLabel: 'Der Link gilt bis',
  phoneLabel: 'Neue Handynummer',
  phoneHint:
    'Geben Sie sie ein, wie Sie es gewohnt sind. Eine Nummer aus einem anderen Land beginnt mit der Ländervorwahl, etwa +46 70 123 45 67.',
  sendCode: 'Code senden',
  sending: 'Der Code wird gesendet …',
  codeHeading: 'Geben Sie den Code aus der SMS ein',
  codeSent: 'Wir haben einen Code an {to} gesendet. Er gilt bis {time}.',
  codesLeft: 'Codes heute noch: {count}.',
  codeLabel: 'Code aus der SMS',
  codeHint: 'Sechs Ziffern. Leerzeichen und Bindestriche spielen keine Rolle.',
  confirm: 'Neue Nummer bestätigen',
  confirming: 'Der Code wird geprüft …',
  another: 'Neuen Code senden oder eine andere Nummer verwenden',
  doneHeading: 'Ihre Handynummer ist geändert',
  done: 'Ihre Handynummer ist jetzt {to}.',
  doneEffects:
    'Gemerkte Geräte und Sitzungen sind beendet: Die nächste Anmeldung fragt nach einem Code, gesendet an die neue Nummer. Wir haben Ihnen eine E-Mail über die Änderung geschickt. Sie können diese Seite schließen.',
  problemHeading: 'Dieser Link funktioniert nicht',
  tryAgain: 'Erneut versuchen',
  error_not_found: 'Dieser Link ist nicht gültig. Bitten Sie den Support um einen neuen.',
  error_link_expired:
    'Dieser Link ist abgelaufen oder wurde schon benutzt. Bitten Sie den Support um einen neuen, wenn Sie ihn noch brauchen.',
  error_phone_empty: 'Geben Sie Ihre neue Handynummer ein.',
  error_invalid_phone: 'Das ist keine Handynummer, die wir lesen können. Prüfen Sie sie und geben Sie sie erneut ein.',
  error_sms_country:
    'An Nummern aus diesem Land können keine Codes gesendet werden. Verwenden Sie eine andere Nummer oder fragen Sie den Support.',
  error_sms_limit: 'Heute können keine Codes mehr zum Einrichten einer Nummer gesendet werden. Versuchen Sie es morgen erneut.',
  error_code_digits: 'Geben Sie die sechs Ziffern des Codes ein, etwa 123 456.',
  error_invalid_code: 'Der Code ist falsch.',
  attemptsLeft: 'Verbleibende Versuche: {count}.',
  error_code_spent: 'Dieser Code funktioniert nicht mehr. Senden Sie einen neuen Code.',
  error_too_many: 'Zu viele Versuche. Warten Sie kurz und versuchen Sie es erneut.',
  error_network: 'Der Server ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.',
  error_other: 'Bei uns ist etwas schiefgegangen ({status}). Versuchen Sie es erneut; passiert es wieder, wenden Sie sich an den Support.',
};

export const catalogs: Record<Language, Texts> = { en, nb, de };

export function browserTexts(nav: { languages?: readonly string[]; language?: string }): { language: Language; t: Texts } {
  const language = pickLanguage(browserLanguages(nav));
  return { language, t: catalogs[language] };
}
