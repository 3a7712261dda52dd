import { asFailure, type ApiFailure } from './http.js';
import { fill, formatWhen, type Language } from './i18n.js';
import { h } from './dom.js';
import type { z } from 'zod';
import type { totpEnrollAnswer } from '../../shared/api/end-user.js';
import type { FirstFactorMethod } from '../../shared/methods.js';

/**
 * A first second factor, set up step by step as seed 000 describes it, on the invitation page and
 * on the hosted sign-in (an OpenID sign-in whose account has none yet): the choice of method when the
 * tenant offers both (its order), the authenticator app (totp-setup.ts: QR code, the key in groups
 * of four, a code to confirm) or the phone (phone-setup.ts: the number, a code by SMS); then the
 * page shows the recovery codes (recovery-codes.ts) and completes the enrollment itself.
 *
 * A page hands the steps a `SetupFlow`: its words, live regions and view, how it shows a new step,
 * how it calls /v1/enroll/* with its enrollment token, and what it does when that token has run out
 * (sign in again, then `resume` with a fresh flow) or the factor is confirmed. The styles are in
 * factor-setup.css, served with both pages' stylesheets.
 */

export type TotpStarted = z.infer<typeof totpEnrollAnswer>;

/** The app's key once asked for: coming back to the app step (after signing in again, too) shows the same QR code. */
export interface TotpMemo {
  started?: TotpStarted;
}

export interface Enrolled {
  method: FirstFactorMethod;
  /** The phone, masked, once confirmed. */
  phoneHint?: string;
}

export interface SetupFlow {
  t: FactorSetupTexts;
  language: Language;
  /** The page's live regions (there from the start, so what is said in them is announced). */
  regions: { status: HTMLElement; alert: HTMLElement };
  /** Where a step's content goes. */
  view: HTMLElement;
  /** What the tenant offers, in its order. */
  methods: readonly FirstFactorMethod[];
  memo: TotpMemo;
  /** The enrollment token came from signing in again: a key asked for now is a new one (the app's old entry no longer works). */
  resumed: boolean;
  /** A number to start from (the administrator's), or null. */
  proposedPhone: string | null;
  /** A sentence above the app and phone steps (why the setup is asked for), or null. */
  lead: string | null;
  /** A new step: heading set and focused, the regions cleared, `content` in the view; the check says whether it is still on screen. */
  newStep(title: string, ...content: Array<Node | null | false>): () => boolean;
  /** POST {path} with the enrollment token. */
  enroll<T>(path: string, body?: unknown): Promise<T>;
  /** A refusal the setup's own words do not cover (the network, anything else), in the page's words. */
  describe(refusal: ApiFailure): string;
  /** The enrollment token ran out (or was ended): true when the page took over; it calls `resume` with a fresh flow once the person is back. */
  sessionOver(refusal: ApiFailure, resume: (flow: SetupFlow) => void): boolean;
  /** The factor is confirmed: the page shows the recovery codes (and then completes the enrollment). */
  onConfirmed(enrolled: Enrolled, recoveryCodes: string[]): void;
  /** Below each step: the page's own way out, or null. */
  footer(): Node | null;
}

/** The steps' words; a page passes the catalog of its language as `SetupFlow.t`. */
const en = {
  chooseHeading: 'How do you want to confirm it is you?',
  chooseIntro: 'After your password, signing in asks for a code as well. Choose where your code comes from.',
  chooseTotp: 'Authenticator app',
  chooseTotpHelp:
    'A code from an app on your phone, such as Google Authenticator or Microsoft Authenticator. Works without mobile coverage.',
  chooseSms: 'Text message (SMS)',
  chooseSmsHelp: 'A code sent to your mobile phone when you sign in.',
  chooseOther: 'Choose another way',
  totpHeading: 'Set up your authenticator app',
  totpInstall: 'If you have no authenticator app yet, install one on your phone, such as Google Authenticator or Microsoft Authenticator.',
  totpScan: 'In the app, add an account and scan this QR code.',
  qrAlt: 'QR code for your authenticator app',
  totpNewKey:
    'This is a new QR code. If your app already has an entry for this account from before, delete that one: only the new one works.',
  manualKeyLabel: 'Cannot scan it? Type this key in the app instead:',
  manualKeyHint: 'Choose “time based” if the app asks. The spaces do not matter.',
  openInApp: 'On this phone? Open the key in your authenticator app',
  totpCodeLabel: 'The 6-digit code the app shows',
  totpCodeHint: 'The code changes every 30 seconds: type the newest one.',
  confirm: 'Confirm',
  preparingApp: 'Making your QR code…',
  checkingCode: 'Checking the code…',
  errorCodeShape: 'Type the 6 digits of the code, such as 123 456.',
  smsHeading: 'Confirm your mobile number',
  smsIntro: 'We send a code to this number now, and to it when you sign in.',
  phoneLabel: 'Mobile number',
  phoneHint: 'With the country code, such as +47 912 34 567.',
  phoneProposed: 'Your administrator suggested this number. Change it if it is not your own mobile.',
  sendCode: 'Send code',
  sendNewCode: 'Send a new code',
  sendingCode: 'Sending the code…',
  smsSent: 'We sent a code to {to}. Codes that can still be sent today: {left}.',
  smsCodeLabel: 'Code from the SMS',
  errorPhoneEmpty: 'Type your mobile number.',
  error_invalid_code: 'That code is wrong.',
  error_sms_code_gone: 'This code can no longer be used: it expired, or was typed wrong too often. Send a new code.',
  error_totp_invalid: 'The code does not match. Check that the time on your phone is set automatically, and type the newest code.',
  attemptsLeft: 'Tries left: {count}.',
  error_sms_limit_reached: 'No more SMS codes can be sent to you today.',
  error_sms_limit_until: 'No more SMS codes can be sent to you today. You can try again from {time}.',
  orUseApp: 'Or choose the authenticator app instead.',
  error_invalid_phone: 'That does not read as a mobile number. Type it with the country code, such as +47 912 34 567.',
  error_sms_country_not_allowed: 'Your organisation does not send SMS to that country. Use another number.',
  error_phone_change_via_support: 'This account already has a mobile number. To change it, contact support.',
  error_already_enrolled: 'An authenticator app is already set up for this account. Sign in instead.',
  error_forbidden: 'Your organisation does not use this way of signing in. Choose another one.',
  error_enrollment_incomplete: 'The second factor is not confirmed yet. Confirm it first.',
  tryAgain: 'Try again',
};

export type FactorSetupTexts = typeof en;

const nb: FactorSetupTexts = {
  chooseHeading: 'Hvordan vil du bekrefte at det er deg?',
  chooseIntro: 'Etter passordet ber innloggingen også om en kode. Velg hvor koden din skal komme fra.',
  chooseTotp: 'Autentiseringsapp',
  chooseTotpHelp:
    'En kode fra en app på mobilen, for eksempel Google Authenticator eller Microsoft Authenticator. Virker også uten mobildekning.',
  chooseSms: 'Tekstmelding (SMS)',
  chooseSmsHelp: 'En kode som sendes til mobilen din når du logger inn.',
  chooseOther: 'Velg en annen måte',
  totpHeading: 'Sett opp autentiseringsappen',
  totpInstall:
    'Har du ingen autentiseringsapp ennå, installerer du en på mobilen, for eksempel Google Authenticator eller Microsoft Authenticator.',
  totpScan: 'Legg til en konto i appen, og skann denne QR-koden.',
  qrAlt: 'QR-kode for autentiseringsappen',
  totpNewKey: 'Dette er en ny QR-kode. Har appen allerede en oppføring for denne kontoen fra før, sletter du den: bare den nye virker.',
  manualKeyLabel: 'Får du ikke skannet? Skriv inn denne nøkkelen i appen i stedet:',
  manualKeyHint: 'Velg «tidsbasert» hvis appen spør. Mellomrommene spiller ingen rolle.',
  openInApp: 'Er du på mobilen? Åpne nøkkelen i autentiseringsappen',
  totpCodeLabel: 'Den sekssifrede koden appen viser',
  totpCodeHint: 'Koden endres hvert 30. sekund: skriv inn den nyeste.',
  confirm: 'Bekreft',
  preparingApp: 'Lager QR-koden …',
  checkingCode: 'Sjekker koden …',
  errorCodeShape: 'Skriv inn de seks sifrene i koden, for eksempel 123 456.',
  smsHeading: 'Bekreft mobilnummeret ditt',
  smsIntro: 'Vi sender en kode til dette nummeret nå, og dit når du logger inn.',
  phoneLabel: 'Mobilnummer',
  phoneHint: 'Med landskode, for eksempel +47 912 34 567.',
  phoneProposed: 'Administratoren foreslo dette nummeret. Endre det hvis det ikke er din egen mobil.',
  sendCode: 'Send kode',
  sendNewCode: 'Send en ny kode',
  sendingCode: 'Sender koden …',
  smsSent: 'Vi sendte en kode til {to}. Koder som fortsatt kan sendes i dag: {left}.',
  smsCodeLabel: 'Koden fra SMS-en',
  errorPhoneEmpty: 'Skriv inn mobilnummeret ditt.',
  error_invalid_code: 'Koden er feil.',
  error_sms_code_gone: 'Koden kan ikke brukes lenger: den er utløpt, eller ble skrevet feil for mange ganger. Send en ny kode.',
  error_totp_invalid: 'Koden stemmer ikke. Sjekk at klokken på mobilen stilles automatisk, og skriv inn den nyeste koden.',
  attemptsLeft: 'Forsøk igjen: {count}.',
  error_sms_limit_reached: 'Det kan ikke sendes flere SMS-koder til deg i dag.',
  error_sms_limit_until: 'Det kan ikke sendes flere SMS-koder til deg i dag. Du kan prøve igjen fra {time}.',
  orUseApp: 'Eller velg autentiseringsappen i stedet.',
  error_invalid_phone: 'Det ser ikke ut som et mobilnummer. Skriv det med landskode, for eksempel +47 912 34 567.',
  error_sms_country_not_allowed: 'Organisasjonen din sender ikke SMS til det landet. Bruk et annet nummer.',
  error_phone_change_via_support: 'Kontoen har allerede et mobilnummer. Kontakt brukerstøtte for å endre det.',
  error_already_enrolled: 'En autentiseringsapp er allerede satt opp for kontoen. Logg inn i stedet.',
  error_forbidden: 'Organisasjonen din bruker ikke denne innloggingsmåten. Velg en annen.',
  error_enrollment_incomplete: 'Den andre faktoren er ikke bekreftet ennå. Bekreft den først.',
  tryAgain: 'Prøv igjen',
};

const de: FactorSetupTexts = {
  chooseHeading: 'Wie möchten Sie bestätigen, dass Sie es sind?',
  chooseIntro: 'Nach dem Passwort fragt die Anmeldung auch nach einem Code. Wählen Sie, woher Ihr Code kommt.',
  chooseTotp: 'Authenticator-App',
  chooseTotpHelp:
    'Ein Code aus einer App auf Ihrem Handy, etwa Google Authenticator oder Microsoft Authenticator. Funktioniert auch ohne Mobilfunknetz.',
  chooseSms: 'SMS',
  chooseSmsHelp: 'Ein Code, der bei der Anmeldung an Ihr Handy geschickt wird.',
  chooseOther: 'Anderen Weg wählen',
  totpHeading: 'Authenticator-App einrichten',
  totpInstall:
    'Wenn Sie noch keine Authenticator-App haben, installieren Sie eine auf Ihrem Handy, etwa Google Authenticator oder Microsoft Authenticator.',
  totpScan: 'Fügen Sie in der App ein Konto hinzu und scannen Sie diesen QR-Code.',
  qrAlt: 'QR-Code für Ihre Authenticator-App',
  totpNewKey:
    'Das ist ein neuer QR-Code. Hat Ihre App schon einen Eintrag für dieses Konto von vorher, löschen Sie ihn: Nur der neue funktioniert.',
  manualKeyLabel: 'Scannen klappt nicht? Geben Sie stattdessen diesen Schlüssel in der App ein:',
  manualKeyHint: 'Wählen Sie „zeitbasiert“, wenn die App fragt. Die Leerzeichen spielen keine Rolle.',
  openInApp: 'Auf diesem Handy? Schlüssel in der Authenticator-App öffnen',
  totpCodeLabel: 'Der sechsstellige Code aus der App',
  totpCodeHint: 'Der Code ändert sich alle 30 Sekunden: Geben Sie den neuesten ein.',
  confirm: 'Bestätigen',
  preparingApp: 'Ihr QR-Code wird erstellt …',
  checkingCode: 'Der Code wird geprüft …',
  errorCodeShape: 'Geben Sie die sechs Ziffern des Codes ein, etwa 123 456.',
  smsHeading: 'Handynummer bestätigen',
  smsIntro: 'Wir senden jetzt einen Code an diese Nummer und bei der Anmeldung ebenfalls dorthin.',
  phoneLabel: 'Handynummer',
  phoneHint: 'Mit Ländervorwahl, etwa +49 151 23456789.',
  phoneProposed: 'Ihr Administrator hat diese Nummer vorgeschlagen. Ändern Sie sie, wenn es nicht Ihr eigenes Handy ist.',
  sendCode: 'Code senden',
  sendNewCode: 'Neuen Code senden',
  sendingCode: 'Der Code wird gesendet …',
  smsSent: 'Wir haben einen Code an {to} gesendet. Heute können noch {left} Codes gesendet werden.',
  smsCodeLabel: 'Code aus der SMS',
  errorPhoneEmpty: 'Geben Sie Ihre Handynummer ein.',
  error_invalid_code: 'Der Code ist falsch.',
  error_sms_code_gone:
    'Dieser Code kann nicht mehr verwendet werden: Er ist abgelaufen oder wurde zu oft falsch eingegeben. Fordern Sie einen neuen Code an.',
  error_totp_invalid:
    'Der Code stimmt nicht. Prüfen Sie, ob die Uhrzeit auf Ihrem Handy automatisch eingestellt wird, und geben Sie den neuesten Code ein.',
  attemptsLeft: 'Verbleibende Versuche: {count}.',
  error_sms_limit_reached: 'Heute können Ihnen keine SMS-Codes mehr gesendet werden.',
  error_sms_limit_until: 'Heute können Ihnen keine SMS-Codes mehr gesendet werden. Ab {time} können Sie es erneut versuchen.',
  orUseApp: 'Oder wählen Sie stattdessen die Authenticator-App.',
  error_invalid_phone: 'Das ist keine gültige Handynummer. Geben Sie sie mit Ländervorwahl ein, etwa +49 151 23456789.',
  error_sms_country_not_allowed: 'Ihre Organisation sendet keine SMS in dieses Land. Verwenden Sie eine andere Nummer.',
  error_phone_change_via_support: 'Dieses Konto hat schon eine Handynummer. Wenden Sie sich an den Support, um sie zu ändern.',
  error_already_enrolled: 'Für dieses Konto ist schon eine Authenticator-App eingerichtet. Melden Sie sich stattdessen an.',
  error_forbidden: 'Ihre Organisation verwendet diese Anmeldeart nicht. Wählen Sie eine andere.',
  error_enrollment_incomplete: 'Der zweite Faktor ist noch nicht bestätigt. Bestätigen Sie ihn zuerst.',
  tryAgain: 'Erneut versuchen',
};

export const factorSetupCatalogs: Record<Language, FactorSetupTexts> = { en, nb, de };

/**
 * A refusal of an enrollment call in the person's words, or undefined when it is not the setup's to
 * say (the page's `describe` then does); `during` says which step asked.
 */
export function describeSetupRefusal(
  flow: Pick<SetupFlow, 't' | 'language' | 'methods'>,
  error: ApiFailure,
  during?: 'totp' | 'sms',
): string | undefined {
  const { t } = flow;
  const left = typeof error.details.attemptsLeft === 'number' ? error.details.attemptsLeft : undefined;
  switch (error.code) {
    case 'invalid_code':
      if (during === 'totp') return t.error_totp_invalid;
      if (left === 0) return t.error_sms_code_gone;
      return left === undefined ? t.error_invalid_code : `${t.error_invalid_code} ${fill(t.attemptsLeft, { count: left })}`;
    case 'sms_limit_reached': {
      const retryAt = typeof error.details.retryAt === 'string' ? error.details.retryAt : undefined;
      const limit = retryAt ? fill(t.error_sms_limit_until, { time: formatWhen(flow.language, retryAt) }) : t.error_sms_limit_reached;
      return flow.methods.includes('totp') ? `${limit} ${t.orUseApp}` : limit;
    }
    case 'invalid_phone':
      return t.error_invalid_phone;
    case 'sms_country_not_allowed':
      return t.error_sms_country_not_allowed;
    case 'phone_change_via_support':
      return t.error_phone_change_via_support;
    case 'already_enrolled':
      return t.error_already_enrolled;
    case 'forbidden':
      return t.error_forbidden;
    case 'enrollment_incomplete':
      return t.error_enrollment_incomplete;
    default:
      return undefined;
  }
}

/** A step's refusal: the setup's words, else the page's. */
export function describeForStep(flow: SetupFlow, error: unknown, during?: 'totp' | 'sms'): { refusal: ApiFailure; message: string } {
  const refusal = asFailure(error);
  return { refusal, message: describeSetupRefusal(flow, refusal, during) ?? flow.describe(refusal) };
}

export function retryButton(flow: SetupFlow, again: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'primary' }, flow.t.tryAgain);
  button.addEventListener('click', again);
  return button;
}

/** "Choose another way", back to the choice, when the tenant offers more than one method. */
export function chooseOtherButton(flow: SetupFlow, chooseOther?: (flow: SetupFlow) => void): HTMLElement | null {
  if (!chooseOther || flow.methods.length < 2) return null;
  const button = h('button', { type: 'button', class: 'link', id: 'choose-other' }, flow.t.chooseOther);
  button.addEventListener('click', () => chooseOther(flow));
  return h('p', { class: 'other-way' }, button);
}

/** The flow's lead sentence, when it has one. */
export function leadParagraph(flow: SetupFlow): HTMLElement | null {
  return flow.lead ? h('p', { class: 'intro', id: 'setup-lead' }, flow.lead) : null;
}
