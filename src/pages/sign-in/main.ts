import type { z } from 'zod';
import type {
  ChallengeMethod,
  enrollCompleteAnswer,
  loginAnswer,
  meAnswer,
  recoveryCodesAnswer,
  smsSentAnswer,
  verifyAnswer,
} from '../../shared/api/end-user.js';
import type {
  interactionCancelAnswer,
  interactionDetails,
  interactionFinishAnswer,
  interactionLoginAnswer,
  interactionVerifyAnswer,
  PageLanguage,
} from '../../shared/api/interaction.js';
import type { challengeStatusAnswer, pushSentAnswer, PushState } from '../../shared/api/push.js';
import type { FirstFactorMethod } from '../../shared/methods.js';
import { sixDigits } from '../common/codes.js';
import { byId, clearWhenEdited, field, h, markInvalid, replace, say } from '../common/dom.js';
import { factorSetupCatalogs, type SetupFlow, type TotpMemo } from '../common/factor-setup.js';
import { ApiFailure, asFailure as failure, callJson } from '../common/http.js';
import { fill, formatTime, formatWhen, minutesSeconds } from '../common/i18n.js';
import { showSecondFactorSetup } from '../common/method-choice.js';
import { recoveryCodesStep } from '../common/recovery-codes.js';
import { openAccount, type AccountHost, type StepUp } from '../account/account.js';
import { accountCatalogs } from '../account/i18n.js';
import { catalogs, texts } from './i18n.js';
import { pageMode } from './mode.js';

/**
 * The hosted sign-in: password, then the second factor the account has (push approval with the
 * code shown here, SMS, an authenticator-app code or a recovery code). It runs in two places:
 *
 * - `<server>/sign-in`, standalone: organisation, email, password; the session token is kept in
 *   this page's memory only, for the one /v1/me call that shows who signed in.
 * - `<server>/interaction/<uid>`, the OpenID Provider's interaction page (src/shared/api/interaction.ts):
 *   a portal sent the person here. The page reads the interaction's details (organisation, portal,
 *   language, login_hint, a step-up for the bank module, how long a device may be remembered), signs
 *   in through /interaction/<uid>/login and /verify/<id> (the remembered device rides in an HttpOnly
 *   cookie the page never sees), and hands the session to /finish, which sends the browser back to the
 *   portal, or asks for a fresh second factor first (the bank module, when this sign-in had none).
 *   "Cancel" goes back to the portal with access denied. An account without a second factor sets
 *   one up here, step by step as seed 000 describes it (common/method-choice.ts and the app and
 *   phone steps it leads to), saves its recovery codes, and goes on to the portal.
 *
 * - `<server>/account/`, the account page (src/pages/account/account.ts): the standalone sign-in,
 *   whose ending is the person's account instead of "signed in as". A change there that needs a
 *   fresh second factor (new recovery codes, a new password) comes back here for the code steps of
 *   its step-up challenge (`Challenge.account`), which hand the new session to the account view.
 *
 * Sending an SMS, push approval and the /v1/enroll/* calls use the end-user API in all three.
 *
 * An account without a second factor yet cannot finish at /sign-in, except when an administrator
 * printed an enrollment sheet for it (the login answer then carries `enrollmentSheet`): the person set
 * up the app from the sheet's QR code or key, types the code it shows (POST /v1/enroll/totp/confirm
 * with the 30-minute enrollment token), saves the recovery codes shown once, and is signed in.
 */

type LoginAnswer = z.infer<typeof loginAnswer>;
type InteractionLogin = z.infer<typeof interactionLoginAnswer>;
type MfaRequired = Extract<LoginAnswer, { status: 'mfa_required' }>;
/**
 * A challenge to answer; `stepUp`: the portal asked for a fresh second factor after the sign-in (the
 * bank module); `account`: the account page asked for one before a sensitive change (where a right
 * code leads, and the way back to the account).
 */
type Challenge = MfaRequired & { stepUp?: boolean; account?: StepUp };
type PushSent = z.infer<typeof pushSentAnswer>;
type ChallengeStatus = z.infer<typeof challengeStatusAnswer>;
type Verified = z.infer<typeof verifyAnswer> | z.infer<typeof interactionVerifyAnswer>;
type Me = z.infer<typeof meAnswer>;
type SmsSent = z.infer<typeof smsSentAnswer>;
type CodeMethod = Exclude<ChallengeMethod, 'push'>;
type EnrollmentRequired = Extract<LoginAnswer, { status: 'enrollment_required' }>;
type RecoveryCodes = z.infer<typeof recoveryCodesAnswer>;
type Completed = z.infer<typeof enrollCompleteAnswer>;
type Details = z.infer<typeof interactionDetails>;
type FinishAnswer = z.infer<typeof interactionFinishAnswer>;
type CancelAnswer = z.infer<typeof interactionCancelAnswer>;

let { language, t } = texts(navigator);
const POLL_MS = 2_000;
/** After each SMS sent, the next one can be asked for this much later. */
const SMS_RESEND_MS = 30_000;
/** Standalone at `<server>/sign-in`, or the OpenID Provider's interaction at `<server>/interaction/<uid>`. */
const mode = pageMode(location.pathname);
const api = (path: string) => `${mode.apiBase}${path}`;
/**
 * The interaction's own calls: `{base}/interaction/{uid}{path}`. Every POST of this page carries a
 * JSON body (`{}` where the route takes none), so every one goes as application/json.
 */
const interactionApi = (path: string) =>
  mode.kind === 'interaction' ? api(`/interaction/${encodeURIComponent(mode.uid)}${path}`) : api(path);

const ui = {
  title: byId('title'),
  status: byId('status'),
  alert: byId('alert'),
  view: byId('view'),
};

interface Remembered {
  tenant: string;
  email: string;
}
let remembered: Remembered = { tenant: new URLSearchParams(location.search).get('tenant') ?? '', email: '' };
/** The interaction's details (interaction mode only, once read). */
let details: Details | undefined;
/** Stops whatever the current step keeps running (an event stream, polling, a countdown). */
let stopStep: () => void = () => undefined;
/** Bumped by every new step: an answer that arrives after the person moved on is dropped. */
let stepSerial = 0;
/**
 * Recovery codes shown but not yet acknowledged when the enrollment token ran out: the account keeps
 * them (pending), so after signing in again they are shown again and the setup finishes.
 */
let unsavedCodes: { tenant: string; email: string; codes: string[] } | undefined;
/** "Remember this device", as last ticked on any of this sign-in's code steps. */
let rememberChoice = false;
/** The last SMS sent for a challenge: the resend countdown and what was said survive a switch of method. */
let lastSms: { challengeId: string; at: number; sent: SmsSent } | undefined;
/** The enrollment under way (its token), for the setup steps. */
let enrollment: Enrollment | undefined;
/** A first-time setup: what the tenant offers, and whether this token came from signing in again. */
let setup: { methods: FirstFactorMethod[]; resumed: boolean } | undefined;
/** The app's key once asked for: coming back to the app step (after signing in again, too) shows the same one. */
const totpMemo: TotpMemo = {};
/** The setup step to go back to once the person has signed in again (the enrollment token ran out). */
let resumeSetup: ((flow: SetupFlow) => void) | undefined;

const clientName = () => details?.client.name ?? '';
const pageTitle = () =>
  details ? fill(t.titleTo, { tenant: details.tenant.name }) : mode.kind === 'account' ? accountCatalogs[language].title : t.title;

function setLanguage(next: PageLanguage): void {
  language = next;
  t = catalogs[next];
  document.documentElement.lang = next;
  document.title = pageTitle();
}

/** A refusal in the person's words; `during` 'sheet': an enrollment call (the sheet's code, the recovery codes). */
function describe(error: ApiFailure, during?: 'sheet'): string {
  const left = typeof error.details.attemptsLeft === 'number' ? ` ${fill(t.attemptsLeft, { count: error.details.attemptsLeft })}` : '';
  if (during === 'sheet') {
    switch (error.code) {
      case 'invalid_code':
        return t.error_sheet_code;
      case 'sheet_expired':
        return t.error_sheet_expired;
      case 'sheet_voided':
        return t.error_sheet_voided;
      case 'conflict':
        return t.error_sheet_gone;
      case 'already_enrolled':
        return t.error_already_enrolled;
      case 'unauthorized':
      case 'invalid_token':
        return t.enrollmentStopped;
    }
  }
  switch (error.code) {
    case 'invalid_credentials':
      return t.error_invalid_credentials;
    case 'unknown_tenant':
      return t.error_unknown_tenant;
    case 'account_locked':
      return typeof error.details.lockedUntil === 'string'
        ? fill(t.error_account_locked, { until: formatTime(language, error.details.lockedUntil) })
        : t.error_account_locked_plain;
    case 'too_many_attempts':
      return t.error_too_many_attempts;
    case 'sms_limit_reached':
      return t.error_sms_limit_reached;
    case 'invalid_code':
      return `${t.error_invalid_code}${left}`;
    case 'challenge_expired':
      return t.error_challenge_expired;
    case 'not_found':
      return t.error_not_found;
    case 'method_not_available':
      return t.error_method_not_available;
    case 'interaction_expired':
      return details ? fill(t.error_interaction_gone, { client: clientName() }) : t.error_interaction_gone_plain;
    case 'sms_country_not_allowed':
      return t.error_sms_country;
    case 'forbidden':
      return t.error_not_allowed;
    case 'invalid_request':
      return t.error_invalid_input;
    case 'network':
      return t.error_network;
    default:
      // The server's own message is English and for developers: the status is what support needs.
      return fill(t.error_other, { status: error.status || '-' });
  }
}

/** The portal's sign-in is over (expired, finished in another tab): nothing here can go on. */
function interactionGone(error: ApiFailure): boolean {
  return error.code === 'interaction_expired';
}

function newStep(title: string, ...content: Array<Node | null | false>): number {
  stopStep();
  stopStep = () => undefined;
  stepSerial += 1;
  ui.title.textContent = title;
  replace(ui.view, ...content);
  return stepSerial;
}

/**
 * A step the shared steps show (the first factor's setup, the account): regions cleared, the focus
 * on its heading; the check says whether it is still on screen.
 */
function focusedStep(title: string, ...content: Array<Node | null | false>): () => boolean {
  const serial = newStep(title, ...content);
  say(ui.status, '');
  say(ui.alert, '');
  ui.title.focus();
  return () => serial === stepSerial;
}

/** "Cancel and go back to {client}" (interaction mode): the portal hears access_denied. */
function cancelLink(): HTMLElement | null {
  if (mode.kind !== 'interaction' || !details) return null;
  const button = h('button', { type: 'button', class: 'link', id: 'cancel' }, fill(t.cancel, { client: clientName() }));
  button.addEventListener('click', () => void cancel(button));
  return h('p', { class: 'cancel-way' }, button);
}

async function cancel(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  say(ui.alert, '');
  say(ui.status, fill(t.cancelling, { client: clientName() }));
  let answer: CancelAnswer;
  try {
    // A body, so the call carries content-type: application/json like every other POST here.
    answer = await callJson<CancelAnswer>(interactionApi('/cancel'), { method: 'POST', body: {} });
  } catch (error) {
    button.disabled = false;
    say(ui.status, '');
    const refusal = failure(error);
    if (interactionGone(refusal)) return ended(describe(refusal), { again: false });
    say(ui.alert, describe(refusal), 'error');
    return;
  }
  leave(answer.redirectTo);
}

/** Back to the portal: nothing on this page is left to warn about, nothing left running. */
function leave(redirectTo: string): void {
  forgetUnsavedCodes();
  stopStep();
  location.assign(redirectTo);
}

// ---------------------------------------------------------------------------------------------
// Interaction mode: the interaction's details first

async function openInteraction(): Promise<void> {
  newStep(t.title);
  say(ui.alert, '');
  say(ui.status, t.loading);
  try {
    details = await callJson<Details>(interactionApi('/details'), { method: 'GET' });
  } catch (error) {
    say(ui.status, '');
    const refusal = failure(error);
    if (interactionGone(refusal) || refusal.status === 404) return ended(t.error_interaction_gone_plain, { again: false });
    const retry = h('button', { type: 'button', class: 'primary' }, t.tryAgain);
    retry.addEventListener('click', () => void openInteraction());
    newStep(t.problemHeading, h('div', { class: 'actions' }, retry));
    say(ui.alert, describe(refusal), 'error');
    ui.title.focus();
    return;
  }
  say(ui.status, '');
  // The portal's ui_locales, when it named one the pages speak; else the browser's (already chosen).
  setLanguage(details.language ?? language);
  remembered = { tenant: details.tenant.slug, email: details.loginHint ?? '' };
  showLogin();
}

// ---------------------------------------------------------------------------------------------
// Step 1: password

function showLogin(): void {
  if (mode.kind === 'interaction' && details) return showInteractionLogin(details);
  const tenant = field('tenant', t.tenantLabel, { type: 'text', autocomplete: 'organization', required: true, value: remembered.tenant }, [
    t.tenantHint,
  ]);
  const email = field('email', t.emailLabel, { type: 'email', autocomplete: 'username', required: true, value: remembered.email });
  const password = field('password', t.passwordLabel, { type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.signIn);
  const form = h(
    'form',
    { id: 'login-form', novalidate: true },
    tenant.wrap,
    email.wrap,
    password.wrap,
    h('div', { class: 'actions' }, submit),
  );
  if (mode.kind === 'account') {
    const words = accountCatalogs[language];
    newStep(words.signInTitle, h('p', { class: 'intro', id: 'account-intro' }, words.signInIntro), form);
  } else newStep(t.title, form);
  (remembered.tenant ? (remembered.email ? password : email) : tenant).input.focus();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const f of [tenant, email, password]) f.input.removeAttribute('aria-invalid');
    const empty = [tenant, email, password].find((f) => f.input.value.trim() === '');
    if (empty) {
      empty.input.setAttribute('aria-invalid', 'true');
      empty.input.focus();
      return;
    }
    remembered = { tenant: tenant.input.value.trim(), email: email.input.value.trim() };
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.signingIn);
    const body = { tenant: remembered.tenant, email: remembered.email, password: password.input.value };
    void callJson<LoginAnswer>(api('/v1/auth/login'), { method: 'POST', body })
      .then(afterLogin)
      .catch((error: unknown) => loginRefused(error, submit, password.input));
  });
}

/** The interaction's sign-in: the organisation is the portal's; the portal's name and, for the bank module, why. */
function showInteractionLogin(info: Details): void {
  const client = info.client.name;
  const why = info.stepUp ? h('p', { class: 'step-up', id: 'step-up-why' }, fill(t.stepUpWhy, { client })) : null;
  const email = field('email', t.emailLabel, { type: 'email', autocomplete: 'username', required: true, value: remembered.email });
  const password = field('password', t.passwordLabel, {
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': why ? 'step-up-why' : null,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.signIn);
  const form = h('form', { id: 'login-form', novalidate: true }, email.wrap, password.wrap, h('div', { class: 'actions' }, submit));
  newStep(
    pageTitle(),
    h('p', { class: 'intro', id: 'continue-to', 'data-testid': 'continue-to' }, fill(t.continueTo, { client })),
    why,
    form,
    cancelLink(),
  );
  // A login_hint (or the person signed in at the provider already) fills the email: the password is next.
  (remembered.email ? password : email).input.focus();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const f of [email, password]) f.input.removeAttribute('aria-invalid');
    const empty = [email, password].find((f) => f.input.value.trim() === '');
    if (empty) {
      empty.input.setAttribute('aria-invalid', 'true');
      empty.input.focus();
      return;
    }
    remembered = { tenant: info.tenant.slug, email: email.input.value.trim() };
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.signingIn);
    void callJson<InteractionLogin>(interactionApi('/login'), {
      method: 'POST',
      body: { email: remembered.email, password: password.input.value },
    })
      .then(afterLogin)
      .catch((error: unknown) => loginRefused(error, submit, password.input));
  });
}

function loginRefused(error: unknown, submit: HTMLButtonElement, password: HTMLInputElement): void {
  submit.disabled = false;
  say(ui.status, '');
  const refusal = failure(error);
  if (interactionGone(refusal)) return ended(describe(refusal), { again: false });
  say(ui.alert, describe(refusal), 'error');
  if (refusal.code === 'invalid_credentials') {
    password.value = '';
    password.focus();
  }
}

async function afterLogin(answer: LoginAnswer | InteractionLogin): Promise<void> {
  say(ui.status, '');
  // The person's own language setting wins over the portal's and the browser's.
  if ('language' in answer && answer.language) setLanguage(answer.language);
  if (answer.status === 'enrollment_required') return enrollmentRequired(answer);
  // Set up meanwhile (another window): nothing of an unfinished setup is waiting any more.
  forgetUnsavedCodes();
  resumeSetup = undefined;
  if (answer.status === 'authenticated') return done(answer.sessionToken);
  startChallenge(answer);
}

function startChallenge(challenge: Challenge): void {
  if (challenge.methods.includes('push')) void startPush(challenge);
  else showCode(challenge, firstCodeMethod(challenge));
}

function firstCodeMethod(challenge: MfaRequired): CodeMethod {
  const preferred = challenge.preferred;
  if (preferred !== 'push') return preferred;
  return (challenge.methods.find((m) => m !== 'push') ?? 'totp') as CodeMethod;
}

/** Signed in: who it is (standalone), on to the portal (interaction), or the account (the account page). */
async function done(sessionToken: string): Promise<void> {
  if (mode.kind === 'interaction') return finish(sessionToken);
  if (mode.kind === 'account') return openAccount(accountHost(), sessionToken);
  return signedIn(sessionToken);
}

/** A right code: signed in, or (a step-up of the account page) back to the account with the new session. */
function proceed(challenge: Challenge, sessionToken: string): Promise<void> | void {
  if (challenge.account) return challenge.account.verified(sessionToken);
  return done(sessionToken);
}

/** A challenge that cannot go on: the sign-in ends, or (a step-up of the account page) the account says why. */
function challengeEnded(challenge: Challenge, why: string, refusal?: ApiFailure): void {
  if (challenge.account) return challenge.account.ended(why, refusal);
  ended(why, { again: !(refusal && interactionGone(refusal)) });
}

/** Below a challenge's code: "Start again", or for the account page's step-up the way back to the account. */
function challengeExit(challenge: Challenge): HTMLButtonElement {
  const account = challenge.account;
  if (!account) return startAgainButton();
  const button = h('button', { type: 'button', class: 'start-again', id: 'back-to-account' }, accountCatalogs[language].backToAccount);
  button.addEventListener('click', () => {
    stopStep();
    account.back();
  });
  return button;
}

// ---------------------------------------------------------------------------------------------
// Interaction mode: the session to the provider, which sends the browser back (or asks for more)

async function finish(sessionToken: string): Promise<void> {
  say(ui.alert, '');
  say(ui.status, t.signingIn);
  let answer: FinishAnswer;
  try {
    answer = await callJson<FinishAnswer>(interactionApi('/finish'), { method: 'POST', body: { sessionToken } });
  } catch (error) {
    say(ui.status, '');
    const refusal = failure(error);
    ended(describe(refusal), { again: !interactionGone(refusal) });
    return;
  }
  if (answer.status === 'done') {
    if (answer.refused) say(ui.status, fill(t.returningRefused, { client: clientName() }));
    else say(ui.status, fill(t.returning, { client: clientName() }), 'success');
    leave(answer.redirectTo);
    return;
  }
  // The bank module wants a fresh second factor, and this sign-in had none (a remembered device, a trusted place).
  say(ui.status, '');
  startChallenge({ ...answer, status: 'mfa_required', stepUp: true });
}

// ---------------------------------------------------------------------------------------------
// Step 2: the challenge's frame (a step-up says why), "remember this device", the verify call

/** A challenge step's heading and, for a step-up, why the portal asks (its method's name as a subheading). */
function challengeFrame(challenge: Challenge, methodHeading: string): { title: string; intro: Node[] } {
  if (challenge.account)
    return {
      title: t.stepUpHeading,
      intro: [h('p', { class: 'intro step-up', id: 'step-up-intro' }, challenge.account.intro), h('h2', {}, methodHeading)],
    };
  if (!challenge.stepUp) return { title: methodHeading, intro: [] };
  return {
    title: t.stepUpHeading,
    intro: [
      h('p', { class: 'intro step-up', id: 'step-up-intro' }, fill(t.stepUpIntro, { client: clientName() })),
      h('h2', {}, methodHeading),
    ],
  };
}

/**
 * "Remember this device for N days" is offered on the portal's sign-in when its policy allows. Not
 * for a step-up: the bank module asks even on a remembered device, and this sign-in had one already
 * (or a trusted place).
 */
function rememberOffered(challenge: Challenge): boolean {
  return mode.kind === 'interaction' && !challenge.stepUp && (details?.rememberDeviceDays ?? 0) > 0;
}

function rememberBox(challenge: Challenge): HTMLElement | null {
  if (!rememberOffered(challenge)) return null;
  const days = details?.rememberDeviceDays ?? 0;
  const box = h('input', {
    type: 'checkbox',
    id: 'remember',
    name: 'remember',
    checked: rememberChoice,
    'aria-describedby': 'remember-hint',
  });
  box.addEventListener('change', () => {
    rememberChoice = box.checked;
  });
  return h(
    'div',
    { class: 'check remember' },
    box,
    h(
      'div',
      {},
      h('label', { for: 'remember' }, fill(t.rememberDevice, { days })),
      h('p', { class: 'hint', id: 'remember-hint' }, fill(t.rememberHint, { days })),
    ),
  );
}

/** Answers the challenge: through the interaction (the remembered device becomes its HttpOnly cookie) or the end-user API. */
function verify(challenge: Challenge, body: { method: ChallengeMethod; code?: string }): Promise<Verified> {
  const id = encodeURIComponent(challenge.challengeId);
  if (mode.kind !== 'interaction') return callJson<Verified>(api(`/v1/auth/challenges/${id}/verify`), { method: 'POST', body });
  const remember = rememberChoice && rememberOffered(challenge);
  return callJson<Verified>(interactionApi(`/verify/${id}`), { method: 'POST', body: remember ? { ...body, rememberDevice: true } : body });
}

/** A refusal that ends the challenge: nothing to try again on this step. */
function endsChallenge(refusal: ApiFailure, challenge: Challenge): boolean {
  // The account page's step-up: the session it belongs to has ended too (the account signs in again).
  if (challenge.account && refusal.code === 'invalid_token') return true;
  return ['challenge_expired', 'not_found', 'account_locked', 'interaction_expired'].includes(refusal.code);
}

// ---------------------------------------------------------------------------------------------
// Step 2a: push approval with the code shown here

async function startPush(challenge: Challenge): Promise<void> {
  say(ui.status, t.sending);
  let sent: PushSent;
  try {
    sent = await callJson<PushSent>(api(`/v1/auth/challenges/${encodeURIComponent(challenge.challengeId)}/push`), {
      method: 'POST',
      body: {},
    });
  } catch (error) {
    say(ui.status, '');
    const refusal = failure(error);
    // Push cannot be used now (locked, no active device): the other methods still can.
    const others = challenge.methods.filter((m) => m !== 'push');
    if (others.length && refusal.status !== 404 && refusal.status !== 410) {
      showCode({ ...challenge, methods: others }, firstCodeMethod({ ...challenge, methods: others, preferred: others[0]! }));
      say(ui.alert, describe(refusal), 'error');
      return;
    }
    challengeEnded(challenge, describe(refusal), refusal);
    return;
  }
  say(ui.status, '');
  showPush(challenge, sent);
}

function showPush(challenge: Challenge, sent: PushSent): void {
  const id = challenge.challengeId;
  const digits = sent.code.split('').join(' ');
  const code = h(
    'p',
    { class: 'push-code', id: 'push-code', 'data-testid': 'push-code', 'data-code': sent.code },
    h('span', { 'aria-hidden': 'true' }, sent.code),
    h('span', { class: 'visually-hidden' }, digits),
  );
  const expiry = h('p', { class: 'expiry', id: 'push-expiry' });
  const resend = h('button', { type: 'button', id: 'resend' }, t.resend);
  const resendsLeft = h('p', { class: 'hint', id: 'resends-left' });
  const waiting = h('p', { class: 'waiting', role: 'status', id: 'push-waiting' }, t.pushWaiting);
  const alternatives = alternativeLinks(challenge, 'push');
  const frame = challengeFrame(challenge, t.pushHeading);
  newStep(
    frame.title,
    ...frame.intro,
    h('p', { class: 'code-label', id: 'push-code-label' }, t.pushCodeLabel),
    code,
    h('p', {}, fill(t.pushSentTo, { devices: sent.devices.join(', ') || '-' })),
    sent.woken ? null : h('p', { class: 'hint' }, t.pushNotWoken),
    expiry,
    waiting,
    rememberBox(challenge),
    h('div', { class: 'actions' }, resend, challengeExit(challenge)),
    resendsLeft,
    alternatives,
    cancelLink(),
  );
  // The step changed under the person (the button they pressed is gone): the heading says where they are.
  ui.title.focus();

  let state = sent;
  let over = false;
  const events = new EventSource(api(`/v1/auth/challenges/${encodeURIComponent(id)}/events`));
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  const tickTimer = setInterval(tick, 1_000);
  const stop = () => {
    over = true;
    events.close();
    clearInterval(pollTimer);
    clearInterval(tickTimer);
  };
  stopStep = stop;

  function tick(): void {
    const left = Date.parse(state.expiresAt) - Date.now();
    expiry.textContent = fill(t.pushExpiresIn, { time: minutesSeconds(left) });
    const wait = Math.ceil((Date.parse(state.resendAt) - Date.now()) / 1000);
    resend.disabled = state.resendsLeft <= 0 || wait > 0 || left <= 0;
    resend.textContent = wait > 0 && state.resendsLeft > 0 ? fill(t.resendIn, { seconds: wait }) : t.resend;
    resendsLeft.textContent = fill(t.resendsLeft, { count: Math.max(0, state.resendsLeft) });
  }
  tick();

  const settle = (pushState: PushState | 'expired') => {
    if (over) return;
    if (pushState === 'approved') {
      stop();
      void finishPush(challenge);
    } else if (pushState === 'denied' || pushState === 'fraud' || pushState === 'expired' || pushState === 'cancelled') {
      stop();
      // A step-up of the account page: the person is still signed in, only the change did not happen.
      const denied = challenge.account ? challenge.account.pushDenied : t.denied;
      const fraud = challenge.account ? challenge.account.pushFraud : t.fraud;
      challengeEnded(challenge, { denied, fraud, expired: t.expired, cancelled: t.cancelled }[pushState]);
    }
  };
  for (const name of ['approved', 'denied', 'fraud', 'expired', 'cancelled'] as const) events.addEventListener(name, () => settle(name));
  events.addEventListener('error', () => {
    // The stream is down (or was refused): ask every 2 s instead; EventSource's own retries stop here.
    events.close();
    if (over || pollTimer !== undefined) return;
    const poll = async () => {
      try {
        const status = await callJson<ChallengeStatus>(api(`/v1/auth/challenges/${encodeURIComponent(id)}`), { method: 'GET' });
        if (status.push) settle(status.push.state);
        else if (status.status === 'expired') settle('expired');
      } catch (error) {
        const refusal = failure(error);
        if (refusal.status === 404 || refusal.status === 410) settle('expired');
      }
    };
    pollTimer = setInterval(() => void poll(), POLL_MS);
    void poll();
  });

  resend.addEventListener('click', () => {
    resend.disabled = true;
    say(ui.alert, '');
    void callJson<PushSent>(api(`/v1/auth/challenges/${encodeURIComponent(id)}/push`), { method: 'POST', body: {} }).then(
      (again) => {
        state = again;
        tick();
        say(ui.status, t.resent, 'success');
      },
      (error: unknown) => {
        say(ui.alert, describe(failure(error)), 'error');
        tick();
      },
    );
  });
}

async function finishPush(challenge: Challenge): Promise<void> {
  say(ui.status, t.approved, 'success');
  try {
    const verified = await verify(challenge, { method: 'push' });
    await proceed(challenge, verified.sessionToken);
  } catch (error) {
    say(ui.status, '');
    const refusal = failure(error);
    challengeEnded(challenge, describe(refusal), refusal);
  }
}

// ---------------------------------------------------------------------------------------------
// Step 2b: a code (SMS, authenticator app, recovery code)

function alternativeLinks(challenge: Challenge, current: ChallengeMethod): HTMLElement | null {
  const links: HTMLElement[] = [];
  const add = (method: ChallengeMethod, label: string) => {
    if (method === current || !challenge.methods.includes(method)) return;
    const button = h('button', { type: 'button', class: 'link', 'data-method': method }, label);
    button.addEventListener('click', () => {
      say(ui.alert, '');
      say(ui.status, '');
      if (method === 'push') void startPush(challenge);
      else showCode(challenge, method);
    });
    links.push(h('li', {}, button));
  };
  add('push', t.usePush);
  add('sms', t.useSms);
  add('totp', t.useTotp);
  add('recovery_code', t.useRecovery);
  return links.length ? h('ul', { class: 'alternatives' }, ...links) : null;
}

function showCode(challenge: Challenge, method: CodeMethod): void {
  const headings: Record<CodeMethod, string> = { sms: t.smsHeading, totp: t.totpHeading, recovery_code: t.recoveryHeading };
  const labels: Record<CodeMethod, string> = { sms: t.smsCodeLabel, totp: t.totpCodeLabel, recovery_code: t.recoveryCodeLabel };
  const code = field('code', labels[method], {
    type: 'text',
    autocomplete: method === 'recovery_code' ? 'off' : 'one-time-code',
    inputmode: method === 'recovery_code' ? 'text' : 'numeric',
    spellcheck: 'false',
    required: true,
    'aria-describedby': method === 'sms' ? 'sms-info' : null,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.verify);
  const form = h(
    'form',
    { id: 'code-form', novalidate: true },
    code.wrap,
    rememberBox(challenge),
    h('div', { class: 'actions' }, submit, challengeExit(challenge)),
  );
  const sendLabel = fill(t.smsSend, { phone: challenge.phoneHint ?? '' });
  const sendSms = h('button', { type: 'button', id: 'send-sms' }, sendLabel);
  const smsInfo = h('p', { class: 'hint', id: 'sms-info' });
  const frame = challengeFrame(challenge, headings[method]);
  // The account page's step-up starts at its heading (then why a code is asked); a sign-in, at the code.
  newStep(
    frame.title,
    ...frame.intro,
    method === 'sms' ? h('div', { class: 'actions' }, sendSms) : null,
    method === 'sms' ? smsInfo : null,
    form,
    alternativeLinks(challenge, method),
    cancelLink(),
  );
  clearWhenEdited(ui.alert, code.input);
  if (method === 'sms') {
    // What was sent for this challenge already (a switch of method and back): the code form, the countdown.
    const sentBefore = () => (lastSms?.challengeId === challenge.challengeId ? lastSms : undefined);
    let sending = false;
    const tick = () => {
      const before = sentBefore();
      const wait = before ? Math.ceil((before.at + SMS_RESEND_MS - Date.now()) / 1000) : 0;
      sendSms.disabled = sending || wait > 0;
      sendSms.textContent = wait > 0 ? fill(t.smsResendIn, { seconds: wait }) : before ? t.resend : sendLabel;
    };
    const timer = setInterval(tick, 1_000);
    stopStep = () => clearInterval(timer);
    const before = sentBefore();
    if (before) smsInfo.textContent = fill(t.smsSent, { to: before.sent.sentTo, left: before.sent.remainingToday });
    else if (challenge.smsRemainingToday !== null) smsInfo.textContent = fill(t.smsLeftToday, { count: challenge.smsRemainingToday });
    form.hidden = !before;
    tick();
    (challenge.account ? ui.title : before ? code.input : sendSms).focus();
    sendSms.addEventListener('click', () => {
      sending = true;
      sendSms.disabled = true;
      say(ui.alert, '');
      say(ui.status, t.sending);
      void callJson<SmsSent>(api(`/v1/auth/challenges/${encodeURIComponent(challenge.challengeId)}/sms`), {
        method: 'POST',
        body: {},
      }).then(
        (sent) => {
          sending = false;
          lastSms = { challengeId: challenge.challengeId, at: Date.now(), sent };
          say(ui.status, '');
          smsInfo.textContent = fill(t.smsSent, { to: sent.sentTo, left: sent.remainingToday });
          form.hidden = false;
          tick();
          code.input.focus();
        },
        (error: unknown) => {
          sending = false;
          tick();
          say(ui.status, '');
          const refusal = failure(error);
          // Locked by the daily limit, or the step is over: nothing more to send or type here.
          if (endsChallenge(refusal, challenge)) return challengeEnded(challenge, describe(refusal), refusal);
          say(ui.alert, describe(refusal), 'error');
        },
      );
    });
    // A step-up says why first (the account page's, the bank module's): the heading, then the field.
  } else (challenge.account || challenge.stepUp ? ui.title : code.input).focus();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // Six digits as people type them ("123 456", "123-456"); a recovery code as it is (its factor reads it).
    const value = method === 'recovery_code' ? code.input.value.trim() || null : sixDigits(code.input.value);
    if (value === null) {
      markInvalid(ui.alert, code.input, method === 'recovery_code' ? t.error_recovery_empty : t.error_code_digits);
      return;
    }
    submit.disabled = true;
    say(ui.alert, '');
    void verify(challenge, { method, code: value })
      .then(
        (verified) => proceed(challenge, verified.sessionToken),
        (error: unknown) => {
          submit.disabled = false;
          const refusal = failure(error);
          if (endsChallenge(refusal, challenge)) {
            challengeEnded(challenge, describe(refusal), refusal);
            return;
          }
          say(ui.alert, describe(refusal), 'error');
          code.input.setAttribute('aria-invalid', 'true');
          code.input.select();
          code.input.focus();
        },
      )
      // The code was right but what follows failed (the network, a session ended meanwhile): said, not stuck.
      .catch((error: unknown) => {
        submit.disabled = false;
        ended(describe(failure(error)));
      });
  });
}

// ---------------------------------------------------------------------------------------------
// Step 2c: no second factor yet. A printed enrollment sheet: the app's code, then the recovery codes.
// On the portal's sign-in, without a sheet: the first factor set up here (common/method-choice.ts).

interface Enrollment {
  token: string;
  tenant: string;
  email: string;
}

function enrollmentRequired(answer: EnrollmentRequired): void {
  enrollment = { token: answer.enrollmentToken, tenant: remembered.tenant, email: remembered.email };
  const resume = resumeSetup;
  resumeSetup = undefined;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (unsavedCodes && same(unsavedCodes.tenant, enrollment.tenant) && same(unsavedCodes.email, enrollment.email))
    return showRecoveryCodes(enrollment, unsavedCodes.codes);
  forgetUnsavedCodes();
  if (answer.enrollmentSheet) return showSheetCode(enrollment, answer.enrollmentSheet.expiresAt);
  // The app was confirmed but the page closed before the recovery codes were saved: its code shows them again.
  if (answer.appAwaitingCodes) return showSheetCode(enrollment, null);
  if (mode.kind === 'interaction') {
    setup = { methods: answer.methods, resumed: resume !== undefined };
    if (resume) return resume(setupFlow());
    if (showSecondFactorSetup(setupFlow())) return;
  }
  ended(t.enrollmentRequired);
}

function enroll<T>(current: Enrollment, path: string, body: unknown): Promise<T> {
  return callJson<T>(api(path), { method: 'POST', body, headers: { authorization: `Bearer ${current.token}` } });
}

/** The shared setup steps as this page shows them: under its heading, the focus on it, "Cancel" below. */
function setupFlow(): SetupFlow {
  const methods = setup?.methods ?? [];
  return {
    t: factorSetupCatalogs[language],
    language,
    regions: ui,
    view: ui.view,
    methods,
    memo: totpMemo,
    resumed: setup?.resumed ?? false,
    proposedPhone: null,
    // With one method there is no choice to explain why: the first step says it.
    lead: methods.length === 1 ? t.setupLead : null,
    newStep: focusedStep,
    enroll: (path, body) => (enrollment ? enroll(enrollment, path, body) : Promise.reject(new ApiFailure(401, 'unauthorized', ''))),
    describe: (refusal) => describe(refusal),
    sessionOver: (refusal, resume) => {
      if (refusal.status !== 401) return false;
      signInAgain(resume);
      return true;
    },
    onConfirmed: (_enrolled, codes) => {
      if (enrollment) showRecoveryCodes(enrollment, codes);
    },
    footer: cancelLink,
  };
}

/** The enrollment token ran out (30 minutes): the password again, then on where the person was. */
function signInAgain(resume?: (flow: SetupFlow) => void): void {
  resumeSetup = resume;
  showLogin();
  say(ui.status, '');
  say(ui.alert, t.enrollmentStopped, 'info');
}

function showSheetCode(current: Enrollment, expiresAt: string | null): void {
  const code = field(
    'sheet-code',
    t.sheetCodeLabel,
    { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false', maxlength: 16, required: true },
    [t.sheetCodeHint],
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, t.verify);
  const form = h('form', { id: 'sheet-form', novalidate: true }, code.wrap, h('div', { class: 'actions' }, submit, startAgainButton()));
  newStep(
    t.sheetHeading,
    h('p', { id: 'sheet-intro' }, expiresAt ? t.sheetIntro : t.appAwaitingIntro),
    expiresAt
      ? h(
          'p',
          { id: 'sheet-valid-until', 'data-testid': 'sheet-valid-until' },
          fill(t.sheetValidUntil, { until: formatWhen(language, expiresAt) }),
        )
      : null,
    form,
    cancelLink(),
  );
  let over = false;
  stopStep = () => {
    over = true;
  };
  ui.title.focus();

  clearWhenEdited(ui.alert, code.input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = sixDigits(code.input.value);
    if (typed === null) {
      markInvalid(ui.alert, code.input, t.error_code_shape);
      return;
    }
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.checkingCode);
    void enroll<RecoveryCodes>(current, '/v1/enroll/totp/confirm', { code: typed }).then(
      (answer) => {
        if (over) return;
        showRecoveryCodes(current, answer.recoveryCodes);
      },
      (error: unknown) => {
        if (over) return;
        submit.disabled = false;
        say(ui.status, '');
        const refusal = failure(error);
        if (refusal.status === 401) return signInAgain();
        // The sheet cannot be used any more: nothing to try again here.
        if (['sheet_expired', 'sheet_voided', 'conflict', 'already_enrolled'].includes(refusal.code)) {
          ended(describe(refusal, 'sheet'));
          return;
        }
        say(ui.alert, describe(refusal, 'sheet'), 'error');
        if (refusal.code === 'invalid_code') code.input.setAttribute('aria-invalid', 'true');
        code.input.select();
        code.input.focus();
      },
    );
  });
}

function guardUnload(event: BeforeUnloadEvent): void {
  // The recovery codes are on screen and not saved yet: leaving now loses them.
  event.preventDefault();
}

function forgetUnsavedCodes(): void {
  unsavedCodes = undefined;
  window.removeEventListener('beforeunload', guardUnload);
}

function showRecoveryCodes(current: Enrollment, codes: string[]): void {
  if (codes.length === 0) {
    // Nothing to save (the account had codes already): finish straight away.
    void complete(current, codes, null);
    return;
  }
  newStep(
    t.recoveryCodesHeading,
    ...recoveryCodesStep({
      codes,
      t,
      language,
      // On paper and in the file: the organisation's name on the portal's sign-in, as typed here otherwise.
      account: { email: current.email, tenant: details?.tenant.name ?? current.tenant },
      regions: ui,
      onFinish: (finishButton) => void complete(current, codes, finishButton),
    }),
  );
  say(ui.status, '');
  say(ui.alert, '');
  window.addEventListener('beforeunload', guardUnload);
  ui.title.focus();
}

async function complete(current: Enrollment, codes: string[], finishButton: HTMLButtonElement | null): Promise<void> {
  let completed: Completed;
  try {
    completed = await enroll<Completed>(current, '/v1/enroll/complete', { recoveryCodesSaved: true });
  } catch (error) {
    if (finishButton) finishButton.disabled = false;
    say(ui.status, '');
    const refusal = failure(error);
    if (refusal.status === 401) {
      // The codes stay the account's, waiting for this step: shown again after signing in again.
      unsavedCodes = { tenant: current.tenant, email: current.email, codes };
      return signInAgain();
    }
    // Finished meanwhile (another window): the account signs in with its app now.
    if (refusal.code === 'conflict') return ended(t.error_setup_finished);
    say(ui.alert, describe(refusal, 'sheet'), 'error');
    return;
  }
  forgetUnsavedCodes();
  enrollment = undefined;
  setup = undefined;
  await done(completed.sessionToken).catch((error: unknown) => ended(describe(failure(error))));
}

// ---------------------------------------------------------------------------------------------
// The account page (src/pages/account/account.ts): this page's regions, steps and words, lent

function accountHost(): AccountHost {
  return {
    api,
    regions: ui,
    language: () => language,
    setLanguage,
    newStep: focusedStep,
    stepUp: (stepUp) => {
      // The account asks for a challenge of its session: the sign-in's steps for it, from its first method.
      const preferred = stepUp.methods[0] ?? 'totp';
      startChallenge({
        status: 'mfa_required',
        challengeId: stepUp.challengeId,
        methods: stepUp.methods,
        preferred,
        phoneHint: stepUp.phoneHint,
        smsRemainingToday: null,
        attemptsLeft: 0,
        expiresAt: '',
        account: stepUp,
      });
    },
    describe: (refusal) => describe(refusal),
    signIn: (message, kind) => {
      showLogin();
      say(kind === 'error' ? ui.alert : ui.status, message, kind);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The end: signed in, or not

async function signedIn(sessionToken: string): Promise<void> {
  const me = await callJson<Me>(api('/v1/me'), { method: 'GET', headers: { authorization: `Bearer ${sessionToken}` } });
  say(ui.status, '');
  say(ui.alert, '');
  newStep(
    t.signedInHeading,
    h('p', { class: 'done', id: 'signed-in-as', 'data-testid': 'signed-in' }, fill(t.signedInAs, { email: me.user.email })),
  );
  ui.title.focus();
}

/**
 * Why the sign-in ended goes in the page's alert region (there from the start, so it is announced).
 * `again` false: the portal's sign-in itself is over, so "Start again" (and "Cancel") could only fail.
 */
function ended(why: string, options: { again?: boolean } = {}): void {
  const again = options.again ?? true;
  // An ending is final: nothing is left to warn about on leaving (codes not saved are shown again
  // at the next sign-in, from the app's code).
  forgetUnsavedCodes();
  say(ui.status, '');
  newStep(t.endedHeading, again ? h('div', { class: 'actions' }, startAgainButton()) : null, again ? cancelLink() : null);
  say(ui.alert, why, 'error');
  ui.title.focus();
}

function startAgainButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'start-again' }, t.startAgain);
  button.addEventListener('click', () => {
    say(ui.alert, '');
    say(ui.status, '');
    resumeSetup = undefined;
    showLogin();
  });
  return button;
}

document.documentElement.lang = language;
document.title = pageTitle();
if (mode.kind === 'interaction') void openInteraction();
else showLogin();
