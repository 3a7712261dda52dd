/**
 * What users read, in their language (en, nb, de). SMS texts stay under 160 GSM-7 characters where the
 * language allows, and start with the organisation's name so the user knows who is asking.
 */
export type Locale = 'en' | 'nb' | 'de';
export const locales: readonly Locale[] = ['en', 'nb', 'de'];

interface Params {
  tenant: string;
  /** For changed_by_support: which change (unlock, recovery_codes, totp_reset, devices_revoked, sessions_revoked). */
  change?: SupportChange;
  code?: string;
  minutes?: number;
  link?: string;
  expires?: string;
  phone?: string;
  when?: string;
  name?: string;
  email?: string;
}

type Render = (p: Params) => { subject?: string; text: string };

export type SupportChange =
  'unlock' | 'recovery_codes' | 'totp_reset' | 'devices_revoked' | 'sessions_revoked' | 'push_enrollment_started' | 'push_device_revoked';

const supportChanges: Record<Locale, Record<SupportChange, string>> = {
  en: {
    unlock: 'Your account was unlocked. You can sign in again.',
    recovery_codes: 'New recovery codes were made for your account; the old ones no longer work.',
    totp_reset: 'The authenticator app was removed from your account. You will set it up again at your next sign-in.',
    devices_revoked: 'Remembered devices were signed out; you will be asked for a code on them again.',
    sessions_revoked: 'All your sign-in sessions were ended.',
    push_enrollment_started: 'Support started adding a push approval device to your account. If you did not ask for this, contact support.',
    push_device_revoked: 'A push approval device was removed from your account.',
  },
  nb: {
    unlock: 'Kontoen din er låst opp. Du kan logge inn igjen.',
    recovery_codes: 'Det er laget nye gjenopprettingskoder for kontoen din; de gamle virker ikke lenger.',
    totp_reset: 'Autentiseringsappen er fjernet fra kontoen din. Du setter den opp på nytt neste gang du logger inn.',
    devices_revoked: 'Huskede enheter er logget ut; du blir bedt om kode på dem igjen.',
    sessions_revoked: 'Alle innloggingene dine er avsluttet.',
    push_enrollment_started:
      'Brukerstøtte har startet å legge til en enhet for push-godkjenning på kontoen din. Har du ikke bedt om dette, kontakt brukerstøtte.',
    push_device_revoked: 'En enhet for push-godkjenning er fjernet fra kontoen din.',
  },
  de: {
    unlock: 'Ihr Konto wurde entsperrt. Sie können sich wieder anmelden.',
    recovery_codes: 'Für Ihr Konto wurden neue Wiederherstellungscodes erstellt; die alten gelten nicht mehr.',
    totp_reset: 'Die Authenticator-App wurde von Ihrem Konto entfernt. Sie richten sie bei der nächsten Anmeldung neu ein.',
    devices_revoked: 'Gemerkte Geräte wurden abgemeldet; dort wird wieder ein Code abgefragt.',
    sessions_revoked: 'Alle Ihre Anmeldesitzungen wurden beendet.',
    push_enrollment_started:
      'Der Support hat begonnen, ein Gerät für die Push-Bestätigung zu Ihrem Konto hinzuzufügen. Wenn Sie das nicht veranlasst haben, wenden Sie sich an den Support.',
    push_device_revoked: 'Ein Gerät für die Push-Bestätigung wurde von Ihrem Konto entfernt.',
  },
};

const templates = {
  sms_login_code: {
    en: (p) => ({ text: `${p.tenant}: your sign-in code is ${p.code}. It expires in ${p.minutes} minutes. Never share it with anyone.` }),
    nb: (p) => ({ text: `${p.tenant}: innloggingskoden din er ${p.code}. Den utløper om ${p.minutes} minutter. Ikke del den med noen.` }),
    de: (p) => ({
      text: `${p.tenant}: Ihr Anmeldecode lautet ${p.code}. Er läuft in ${p.minutes} Minuten ab. Geben Sie ihn niemals weiter.`,
    }),
  },
  sms_setup_code: {
    en: (p) => ({ text: `${p.tenant}: your code to confirm this phone number is ${p.code}. It expires in ${p.minutes} minutes.` }),
    nb: (p) => ({ text: `${p.tenant}: koden for å bekrefte dette telefonnummeret er ${p.code}. Den utløper om ${p.minutes} minutter.` }),
    de: (p) => ({
      text: `${p.tenant}: Ihr Code zur Bestätigung dieser Handynummer lautet ${p.code}. Er läuft in ${p.minutes} Minuten ab.`,
    }),
  },
  phone_reset_link: {
    en: (p) => ({
      subject: `${p.tenant}: change the phone number for two-step sign-in`,
      text: `Hello,\n\nSupport has sent you a link to set a new mobile phone number for two-step sign-in on your ${p.tenant} account:\n\n${p.link}\n\nThe link works once and expires ${p.expires}. If you did not ask for this, ignore this email and tell your administrator.\n`,
    }),
    nb: (p) => ({
      subject: `${p.tenant}: bytt telefonnummer for tofaktorinnlogging`,
      text: `Hei,\n\nKundestøtte har sendt deg en lenke for å registrere et nytt mobilnummer for tofaktorinnlogging på ${p.tenant}-kontoen din:\n\n${p.link}\n\nLenken virker én gang og utløper ${p.expires}. Har du ikke bedt om dette, kan du se bort fra e-posten og si fra til administratoren din.\n`,
    }),
    de: (p) => ({
      subject: `${p.tenant}: Handynummer für die Zwei-Faktor-Anmeldung ändern`,
      text: `Hallo,\n\nder Support hat Ihnen einen Link gesendet, mit dem Sie eine neue Handynummer für die Zwei-Faktor-Anmeldung bei Ihrem ${p.tenant}-Konto festlegen können:\n\n${p.link}\n\nDer Link funktioniert einmal und läuft am ${p.expires} ab. Wenn Sie dies nicht angefordert haben, ignorieren Sie diese E-Mail und informieren Sie Ihren Administrator.\n`,
    }),
  },
  phone_changed: {
    en: (p) => ({
      subject: `${p.tenant}: your phone number for two-step sign-in was changed`,
      text: `Hello,\n\nThe mobile phone number for two-step sign-in on your ${p.tenant} account was changed to ${p.phone} on ${p.when}. Remembered devices were signed out.\n\nIf this was not you, contact support at once.\n`,
    }),
    nb: (p) => ({
      subject: `${p.tenant}: telefonnummeret for tofaktorinnlogging er endret`,
      text: `Hei,\n\nMobilnummeret for tofaktorinnlogging på ${p.tenant}-kontoen din ble endret til ${p.phone} ${p.when}. Huskede enheter er logget ut.\n\nVar det ikke deg, kontakt kundestøtte med en gang.\n`,
    }),
    de: (p) => ({
      subject: `${p.tenant}: Ihre Handynummer für die Zwei-Faktor-Anmeldung wurde geändert`,
      text: `Hallo,\n\ndie Handynummer für die Zwei-Faktor-Anmeldung bei Ihrem ${p.tenant}-Konto wurde am ${p.when} auf ${p.phone} geändert. Gemerkte Geräte wurden abgemeldet.\n\nWenn Sie das nicht waren, wenden Sie sich sofort an den Support.\n`,
    }),
  },
  invitation: {
    en: (p) => ({
      subject: `${p.tenant}: your personal account is ready`,
      text: `Hello ${p.name},\n\n${p.tenant} has made a personal account for you: ${p.email}. It replaces the shared account you used until now, so that you sign in with a phone of your own.\n\nChoose your password and set up two-step sign-in here:\n\n${p.link}\n\nThe link works once and expires ${p.expires}. If you did not expect this email, tell your administrator.\n`,
    }),
    nb: (p) => ({
      subject: `${p.tenant}: din personlige konto er klar`,
      text: `Hei ${p.name},\n\n${p.tenant} har laget en personlig konto til deg: ${p.email}. Den erstatter den delte kontoen du har brukt til nå, slik at du logger inn med din egen telefon.\n\nVelg passord og sett opp tofaktorinnlogging her:\n\n${p.link}\n\nLenken virker én gang og utløper ${p.expires}. Ventet du ikke denne e-posten, si fra til administratoren din.\n`,
    }),
    de: (p) => ({
      subject: `${p.tenant}: Ihr persönliches Konto ist bereit`,
      text: `Hallo ${p.name},\n\n${p.tenant} hat ein persönliches Konto für Sie eingerichtet: ${p.email}. Es ersetzt das gemeinsame Konto, das Sie bisher genutzt haben, damit Sie sich mit Ihrem eigenen Handy anmelden.\n\nWählen Sie hier Ihr Passwort und richten Sie die Zwei-Faktor-Anmeldung ein:\n\n${p.link}\n\nDer Link funktioniert einmal und läuft am ${p.expires} ab. Wenn Sie diese E-Mail nicht erwartet haben, informieren Sie Ihren Administrator.\n`,
    }),
  },
  changed_by_support: {
    en: (p) => ({
      subject: `${p.tenant}: support changed your sign-in settings`,
      text: `Hello,\n\n${supportChanges.en[p.change!]}\n\nThis was done by support on ${p.when}. If you did not ask for it, contact support at once.\n`,
    }),
    nb: (p) => ({
      subject: `${p.tenant}: kundestøtte har endret innloggingsinnstillingene dine`,
      text: `Hei,\n\n${supportChanges.nb[p.change!]}\n\nDette ble gjort av kundestøtte ${p.when}. Har du ikke bedt om det, kontakt kundestøtte med en gang.\n`,
    }),
    de: (p) => ({
      subject: `${p.tenant}: Der Support hat Ihre Anmeldeeinstellungen geändert`,
      text: `Hallo,\n\n${supportChanges.de[p.change!]}\n\nDies wurde am ${p.when} vom Support vorgenommen. Wenn Sie das nicht angefordert haben, wenden Sie sich sofort an den Support.\n`,
    }),
  },
} satisfies Record<string, Record<Locale, Render>>;

export type TemplateName = keyof typeof templates;

export function asLocale(value: string): Locale {
  return (locales as readonly string[]).includes(value) ? (value as Locale) : 'en';
}

export function renderMessage(template: TemplateName, locale: string, params: Params): { subject?: string; text: string } {
  const render: Render = templates[template][asLocale(locale)];
  return render(params);
}

/** Dates in messages, in the reader's language and the tenant's time zone. */
export function formatWhen(ms: number, locale: string, timeZone: string): string {
  const tag = { en: 'en-GB', nb: 'nb-NO', de: 'de-DE' }[asLocale(locale)];
  return new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(ms));
}
