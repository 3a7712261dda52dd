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
import type { challengeStatusAnswer, pushSentAnswer, PushState } from '../../shared/api/push.js';
import { byId, h, replace, say } from '../common/dom.js';
import { ApiFailure, callJson } from '../common/http.js';
import { fill, formatTime, minutesSeconds } from '../common/i18n.js';
import { recoveryCodesStep } from '../common/recovery-codes.js';
import { texts } from './i18n.js';

/**
 * A minimal hosted sign-in: password, then the second factor the account has (push approval with
 * the code shown here, SMS, an authenticator-app code or a recovery code). The session token is
 * kept in this page's memory only, for the one /v1/me call that shows who signed in.
 *
 * An account without a second factor yet cannot finish here, except when an administrator printed
 * an enrollment sheet for it (the login answer then carries `enrollmentSheet`): the person set up
 * the app from the sheet's QR code or key, types the code it shows (POST /v1/enroll/totp/confirm
 * with the 30-minute enrollment token), saves the recovery codes shown once, and is signed in.
 */

type LoginAnswer = z.infer<typeof loginAnswer>;
type MfaRequired = Extract<LoginAnswer, { status: 'mfa_required' }>;
type PushSent = z.infer<typeof pushSentAnswer>;
type ChallengeStatus = z.infer<typeof challengeStatusAnswer>;
type Verified = z.infer<typeof verifyAnswer>;
type Me = z.infer<typeof meAnswer>;
type SmsSent = z.infer<typeof smsSentAnswer>;
type CodeMethod = Exclude<ChallengeMethod, 'push'>;
type EnrollmentRequired = Extract<LoginAnswer, { status: 'enrollment_required' }>;
type RecoveryCodes = z.infer<typeof recoveryCodesAnswer>;
type Completed = z.infer<typeof enrollCompleteAnswer>;

const { language, t } = texts(navigator);
const POLL_MS = 2_000;
/** The server's base path: this page is `<server>/sign-in`. */
const apiBase = location.pathname.replace(/\/sign-in\/?$/, '');
const api = (path: string) => `${apiBase}${path}`;

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
/** Stops whatever the current step keeps running (an event stream, polling, a countdown). */
let stopStep: () => void = () => undefined;
/**
 * Recovery codes shown but not yet acknowledged when the enrollment token ran out: the account keeps
 * them (pending), so after signing in again they are shown again and the setup finishes.
 */
let unsavedCodes: { tenant: string; email: string; codes: string[] } | undefined;

function failure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, 'client_error', error instanceof Error ? error.message : String(error));
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
    case 'network':
      return t.error_network;
    default:
      return fill(t.error_other, { status: error.status || '-', message: error.message });
  }
}

function newStep(title: string, ...content: Array<Node | null | false>): void {
  stopStep();
  stopStep = () => undefined;
  ui.title.textContent = title;
  replace(ui.view, ...content);
}

function field(id: string, label: string, attributes: Record<string, string | number | boolean>, hint?: string) {
  const input = h('input', { id, name: id, ...attributes, ...(hint ? { 'aria-describedby': `${id}-hint` } : {}) });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    input,
  );
  return { input, wrap };
}

// ---------------------------------------------------------------------------------------------
// Step 1: password

function showLogin(): void {
  const tenant = field(
    'tenant',
    t.tenantLabel,
    { type: 'text', autocomplete: 'organization', required: true, value: remembered.tenant },
    t.tenantHint,
  );
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
  newStep(t.title, form);
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
    void login(remembered.tenant, remembered.email, password.input.value).catch((error: unknown) => {
      submit.disabled = false;
      say(ui.status, '');
      const refusal = failure(error);
      say(ui.alert, describe(refusal), 'error');
      if (refusal.code === 'invalid_credentials') {
        password.input.value = '';
        password.input.focus();
      }
    });
  });
}

async function login(tenant: string, email: string, password: string): Promise<void> {
  const answer = await callJson<LoginAnswer>(api('/v1/auth/login'), { method: 'POST', body: { tenant, email, password } });
  say(ui.status, '');
  if (answer.status === 'enrollment_required') return enrollmentRequired(answer);
  // Set up meanwhile (another window): nothing of an unfinished setup is waiting any more.
  forgetUnsavedCodes();
  if (answer.status === 'authenticated') return signedIn(answer.sessionToken);
  if (answer.methods.includes('push')) return startPush(answer);
  return showCode(answer, firstCodeMethod(answer));
}

function firstCodeMethod(challenge: MfaRequired): CodeMethod {
  const preferred = challenge.preferred;
  if (preferred !== 'push') return preferred;
  return (challenge.methods.find((m) => m !== 'push') ?? 'totp') as CodeMethod;
}

// ---------------------------------------------------------------------------------------------
// Step 2a: push approval with the code shown here

async function startPush(challenge: MfaRequired): Promise<void> {
  say(ui.status, t.sending);
  let sent: PushSent;
  try {
    sent = await callJson<PushSent>(api(`/v1/auth/challenges/${encodeURIComponent(challenge.challengeId)}/push`), { method: 'POST' });
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
    ended(describe(refusal));
    return;
  }
  say(ui.status, '');
  showPush(challenge, sent);
}

function showPush(challenge: MfaRequired, sent: PushSent): void {
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
  newStep(
    t.pushHeading,
    h('p', { class: 'code-label', id: 'push-code-label' }, t.pushCodeLabel),
    code,
    h('p', {}, fill(t.pushSentTo, { devices: sent.devices.join(', ') || '-' })),
    sent.woken ? null : h('p', { class: 'hint' }, t.pushNotWoken),
    expiry,
    waiting,
    h('div', { class: 'actions' }, resend, startAgainButton()),
    resendsLeft,
    alternatives,
  );

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
      void finishPush(id);
    } else if (pushState === 'denied' || pushState === 'fraud' || pushState === 'expired' || pushState === 'cancelled') {
      stop();
      ended({ denied: t.denied, fraud: t.fraud, expired: t.expired, cancelled: t.cancelled }[pushState]);
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
    void callJson<PushSent>(api(`/v1/auth/challenges/${encodeURIComponent(id)}/push`), { method: 'POST' }).then(
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

async function finishPush(challengeId: string): Promise<void> {
  say(ui.status, t.approved, 'success');
  try {
    const verified = await callJson<Verified>(api(`/v1/auth/challenges/${encodeURIComponent(challengeId)}/verify`), {
      method: 'POST',
      body: { method: 'push' },
    });
    await signedIn(verified.sessionToken);
  } catch (error) {
    say(ui.status, '');
    ended(describe(failure(error)));
  }
}

// ---------------------------------------------------------------------------------------------
// Step 2b: a code (SMS, authenticator app, recovery code)

function alternativeLinks(challenge: MfaRequired, current: ChallengeMethod): HTMLElement | null {
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

function showCode(challenge: MfaRequired, method: CodeMethod): void {
  const headings: Record<CodeMethod, string> = { sms: t.smsHeading, totp: t.totpHeading, recovery_code: t.recoveryHeading };
  const labels: Record<CodeMethod, string> = { sms: t.smsCodeLabel, totp: t.totpCodeLabel, recovery_code: t.recoveryCodeLabel };
  const code = field('code', labels[method], {
    type: 'text',
    autocomplete: method === 'recovery_code' ? 'off' : 'one-time-code',
    inputmode: method === 'recovery_code' ? 'text' : 'numeric',
    spellcheck: 'false',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.verify);
  const form = h('form', { id: 'code-form', novalidate: true }, code.wrap, h('div', { class: 'actions' }, submit, startAgainButton()));
  const sendSms = h('button', { type: 'button', id: 'send-sms' }, fill(t.smsSend, { phone: challenge.phoneHint ?? '' }));
  const smsInfo = h('p', { class: 'hint', id: 'sms-info' });
  newStep(
    headings[method],
    method === 'sms' ? h('div', { class: 'actions' }, sendSms) : null,
    method === 'sms' ? smsInfo : null,
    form,
    alternativeLinks(challenge, method),
  );
  if (method === 'sms') {
    form.hidden = true;
    sendSms.focus();
    sendSms.addEventListener('click', () => {
      sendSms.disabled = true;
      say(ui.alert, '');
      say(ui.status, t.sending);
      void callJson<SmsSent>(api(`/v1/auth/challenges/${encodeURIComponent(challenge.challengeId)}/sms`), { method: 'POST' }).then(
        (sent) => {
          say(ui.status, '');
          smsInfo.textContent = fill(t.smsSent, { to: sent.sentTo, left: sent.remainingToday });
          form.hidden = false;
          sendSms.disabled = false;
          code.input.focus();
        },
        (error: unknown) => {
          sendSms.disabled = false;
          say(ui.status, '');
          say(ui.alert, describe(failure(error)), 'error');
        },
      );
    });
  } else code.input.focus();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = code.input.value.trim();
    if (!value) {
      code.input.setAttribute('aria-invalid', 'true');
      code.input.focus();
      return;
    }
    submit.disabled = true;
    say(ui.alert, '');
    void callJson<Verified>(api(`/v1/auth/challenges/${encodeURIComponent(challenge.challengeId)}/verify`), {
      method: 'POST',
      body: { method, code: value },
    }).then(
      (verified) => signedIn(verified.sessionToken),
      (error: unknown) => {
        submit.disabled = false;
        const refusal = failure(error);
        if (refusal.code === 'challenge_expired' || refusal.code === 'not_found' || refusal.code === 'account_locked') {
          ended(describe(refusal));
          return;
        }
        say(ui.alert, describe(refusal), 'error');
        code.input.setAttribute('aria-invalid', 'true');
        code.input.select();
        code.input.focus();
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Step 2c: no second factor yet, but a printed enrollment sheet: the app's code, then the recovery codes

interface Enrollment {
  token: string;
  tenant: string;
  email: string;
}

function enrollmentRequired(answer: EnrollmentRequired): void {
  const enrollment: Enrollment = { token: answer.enrollmentToken, tenant: remembered.tenant, email: remembered.email };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (unsavedCodes && same(unsavedCodes.tenant, enrollment.tenant) && same(unsavedCodes.email, enrollment.email))
    return showRecoveryCodes(enrollment, unsavedCodes.codes);
  forgetUnsavedCodes();
  if (answer.enrollmentSheet) return showSheetCode(enrollment, answer.enrollmentSheet.expiresAt);
  // The app was confirmed but the page closed before the recovery codes were saved: its code shows them again.
  if (answer.appAwaitingCodes) return showSheetCode(enrollment, null);
  ended(t.enrollmentRequired);
}

function enroll<T>(enrollment: Enrollment, path: string, body: unknown): Promise<T> {
  return callJson<T>(api(path), { method: 'POST', body, headers: { authorization: `Bearer ${enrollment.token}` } });
}

/** "9 December 2026 at 10:00" in the page's language, in the browser's time zone. */
function formatWhen(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(date);
}

/** What people type for a code ("123 456", "123-456", "123–456"), as the server reads it. */
function normaliseCode(typed: string): string {
  return typed.replace(/[\s\u2010-\u2015\u2212-]/g, '');
}

/** The enrollment token ran out (30 minutes): the password again, then on where the person was. */
function signInAgain(): void {
  showLogin();
  say(ui.status, '');
  say(ui.alert, t.enrollmentStopped, 'info');
}

function showSheetCode(enrollment: Enrollment, expiresAt: string | null): void {
  const code = field(
    'sheet-code',
    t.sheetCodeLabel,
    { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false', maxlength: 16, required: true },
    t.sheetCodeHint,
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, t.verify);
  const form = h('form', { id: 'sheet-form', novalidate: true }, code.wrap, h('div', { class: 'actions' }, submit, startAgainButton()));
  newStep(
    t.sheetHeading,
    h('p', { id: 'sheet-intro' }, expiresAt ? t.sheetIntro : t.appAwaitingIntro),
    expiresAt
      ? h('p', { id: 'sheet-valid-until', 'data-testid': 'sheet-valid-until' }, fill(t.sheetValidUntil, { until: formatWhen(expiresAt) }))
      : null,
    form,
  );
  let over = false;
  stopStep = () => {
    over = true;
  };
  ui.title.focus();

  code.input.addEventListener('input', () => {
    if (code.input.getAttribute('aria-invalid') !== 'true') return;
    code.input.removeAttribute('aria-invalid');
    say(ui.alert, '');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = normaliseCode(code.input.value);
    if (!/^\d{6}$/.test(typed)) {
      code.input.setAttribute('aria-invalid', 'true');
      say(ui.alert, t.error_code_shape, 'error');
      code.input.focus();
      return;
    }
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.checkingCode);
    void enroll<RecoveryCodes>(enrollment, '/v1/enroll/totp/confirm', { code: typed }).then(
      (answer) => {
        if (over) return;
        showRecoveryCodes(enrollment, answer.recoveryCodes);
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

function showRecoveryCodes(enrollment: Enrollment, codes: string[]): void {
  if (codes.length === 0) {
    // Nothing to save (the account had codes already): finish straight away.
    void complete(enrollment, codes, null);
    return;
  }
  newStep(
    t.recoveryCodesHeading,
    ...recoveryCodesStep({
      codes,
      t,
      language,
      account: { email: enrollment.email, tenant: enrollment.tenant },
      regions: ui,
      onFinish: (finish) => void complete(enrollment, codes, finish),
    }),
  );
  say(ui.status, '');
  say(ui.alert, '');
  window.addEventListener('beforeunload', guardUnload);
  ui.title.focus();
}

async function complete(enrollment: Enrollment, codes: string[], finish: HTMLButtonElement | null): Promise<void> {
  let completed: Completed;
  try {
    completed = await enroll<Completed>(enrollment, '/v1/enroll/complete', { recoveryCodesSaved: true });
  } catch (error) {
    if (finish) finish.disabled = false;
    say(ui.status, '');
    const refusal = failure(error);
    if (refusal.status === 401) {
      // The codes stay the account's, waiting for this step: shown again after signing in again.
      unsavedCodes = { tenant: enrollment.tenant, email: enrollment.email, codes };
      return signInAgain();
    }
    // Finished meanwhile (another window): the account signs in with its app now.
    if (refusal.code === 'conflict') return ended(t.error_setup_finished);
    say(ui.alert, describe(refusal, 'sheet'), 'error');
    return;
  }
  forgetUnsavedCodes();
  await signedIn(completed.sessionToken).catch((error: unknown) => ended(describe(failure(error))));
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

/** Why the sign-in ended goes in the page's alert region (there from the start, so it is announced). */
function ended(why: string): void {
  // An ending is final: nothing is left to warn about on leaving (codes not saved are shown again
  // at the next sign-in, from the app's code).
  forgetUnsavedCodes();
  say(ui.status, '');
  newStep(t.endedHeading, h('div', { class: 'actions' }, startAgainButton()));
  say(ui.alert, why, 'error');
}

function startAgainButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'start-again' }, t.startAgain);
  button.addEventListener('click', () => {
    say(ui.alert, '');
    say(ui.status, '');
    showLogin();
  });
  return button;
}

document.documentElement.lang = language;
document.title = t.title;
showLogin();
