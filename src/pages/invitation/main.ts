import type { z } from 'zod';
import type { enrollCompleteAnswer, loginAnswer } from '../../shared/api/end-user.js';
import type { InvitationAcceptAnswer, InvitationView } from '../../shared/api/invitations.js';
import type { FirstFactorMethod } from '../../shared/methods.js';
import { byId, clearWhenEdited as clearEdited, field, h, markInvalid, replace, say } from '../common/dom.js';
import { describeSetupRefusal, factorSetupCatalogs, type Enrolled, type SetupFlow, type TotpMemo } from '../common/factor-setup.js';
import { ApiFailure, asFailure as failure, callJson, readAnswer, send } from '../common/http.js';
import { fill, formatWhen, type Language } from '../common/i18n.js';
import { showSecondFactorSetup } from '../common/method-choice.js';
import { recoveryCodesStep } from '../common/recovery-codes.js';
import { browserTexts, catalogs } from './i18n.js';

/**
 * The hosted invitation page (`<server>/invitation/#t=<token>`): a person whose shared mailbox was
 * broken up into personal accounts opens the emailed link, sees whose account it is, chooses a
 * password, and sets up a second factor step by step as seed 000 describes it: the authenticator
 * app (QR code, manual key, a code to confirm) or, where the tenant sends SMS, the phone (the
 * administrator's number prefilled, a code by SMS); then the recovery codes, shown once, which must
 * be acknowledged before the page goes on (skipping that step is what locks people out).
 *
 * A person who chose the password but did not finish the second factor (the page was reloaded or
 * closed, or the 30-minute enrollment token ran out) opens the same link again: the invitation then
 * says `accepted`, and the page asks for that password again (POST /v1/auth/login) to go on with the
 * same steps. When the enrollment token runs out while the page is open, the same way back is
 * offered, and the step the person was on is shown again.
 *
 * The invitation token is read from the fragment (never sent to a server log) and removed from the
 * address bar at once; it and the enrollment token live in this page's memory only.
 */

type Completed = z.infer<typeof enrollCompleteAnswer>;
type LoginAnswer = z.infer<typeof loginAnswer>;

let { language, t } = browserTexts(navigator);
/** The server's base path: this page is `<server>/invitation/`. */
const apiBase = location.pathname.replace(/\/invitation\/?$/, '');
const api = (path: string) => `${apiBase}${path}`;
const signInUrl = (slug?: string) => api(`/sign-in${slug ? `?tenant=${encodeURIComponent(slug)}` : ''}`);

/** The server's own bounds on a password (src/shared/api/invitations.ts). */
const PASSWORD_MAX = 1024;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

const ui = {
  progress: byId<HTMLOListElement>('progress'),
  title: byId('title'),
  status: byId('status'),
  alert: byId('alert'),
  view: byId('view'),
};

let invitationToken = '';
let invitation: InvitationView | undefined;
let enrollment: { token: string; methods: FirstFactorMethod[] } | undefined;
/** The app's secret once asked for: coming back to the app step shows the same QR code. */
const totp: TotpMemo = {};
/** The enrollment came from signing in again (the "continue" step), not from choosing the password just now. */
let resumed = false;
/** Bumped by every new step: an answer that arrives after the person moved on is dropped. */
let stepSerial = 0;

/** An enrollment call's refusal in the person's words; `during` says which step asked. */
function describe(error: ApiFailure, during?: 'totp' | 'sms'): string {
  const setup = describeSetupRefusal({ t: factorSetupCatalogs[language], language, methods: enrollment?.methods ?? [] }, error, during);
  if (setup !== undefined) return setup;
  switch (error.code) {
    case 'link_expired':
      return t.error_link_expired;
    case 'too_many_attempts':
      return t.error_too_many_attempts;
    case 'unauthorized':
    case 'invalid_token':
      return t.error_session_over;
    case 'network':
      return t.error_network;
    default:
      return fill(t.error_other, { status: error.status || '-', message: error.message });
  }
}

/** The enrollment token is gone (30 minutes, or spent): the person signs in again to go on (`stopped`). */
function sessionOver(error: ApiFailure): boolean {
  return error.code === 'unauthorized' || error.code === 'invalid_token';
}

function setLanguage(next: Language): void {
  language = next;
  t = catalogs[next];
  document.documentElement.lang = next;
  document.title = t.pageTitle;
}

// ---------------------------------------------------------------------------------------------
// The frame: where the person is, one heading per step, focus on it

const stepNames = () => [t.stepPassword, t.stepSecondFactor, t.stepRecovery, t.stepDone];
type StepIndex = 0 | 1 | 2 | 3;

function renderProgress(current: StepIndex | null): void {
  if (current === null) {
    ui.progress.hidden = true;
    return;
  }
  ui.progress.hidden = false;
  ui.progress.setAttribute('aria-label', t.progressLabel);
  replace(
    ui.progress,
    ...stepNames().map((name, index) =>
      h(
        'li',
        {
          'aria-current': index === current ? 'step' : null,
          'data-state': index < current ? 'done' : index === current ? 'current' : 'todo',
        },
        h('span', { class: 'progress-number', 'aria-hidden': 'true' }, String(index + 1)),
        h('span', { class: 'progress-name' }, name),
        index < current ? h('span', { class: 'visually-hidden' }, ` ${t.stepCompleted}`) : null,
      ),
    ),
  );
}

/** Shows a new step: its heading takes the focus, so a screen reader starts there. */
function newStep(step: StepIndex | null, title: string, ...content: Array<Node | null | false>): number {
  stepSerial += 1;
  renderProgress(step);
  say(ui.status, '');
  say(ui.alert, '');
  ui.title.textContent = title;
  replace(ui.view, ...content);
  ui.title.focus();
  return stepSerial;
}

function invalid(input: HTMLInputElement, message: string): void {
  markInvalid(ui.alert, input, message);
}

/** Editing a field that was refused clears the refusal: the message was about what it held. */
function clearWhenEdited(...inputs: HTMLInputElement[]): void {
  clearEdited(ui.alert, ...inputs);
}

/** The page cannot go on: the reason in the alert region, and what the person can do next. */
function ended(heading: string, why: string, next: { signIn?: boolean; retry?: () => void } = {}): void {
  const actions: HTMLElement[] = [];
  if (next.retry) {
    const retry = h('button', { type: 'button', class: 'primary' }, t.tryAgain);
    retry.addEventListener('click', next.retry);
    actions.push(retry);
  }
  if (next.signIn) actions.push(h('a', { class: 'button-link', href: signInUrl(invitation?.tenantSlug) }, t.signIn));
  // Nothing left to lose by leaving.
  if (!next.retry) window.removeEventListener('beforeunload', guardUnload);
  newStep(null, heading, actions.length ? h('div', { class: 'actions' }, ...actions) : null);
  say(ui.alert, why, 'error');
}

function guardUnload(event: BeforeUnloadEvent): void {
  // Halfway through: leaving now loses the enrollment (and the recovery codes on screen).
  event.preventDefault();
}

// ---------------------------------------------------------------------------------------------
// Opening the link

/** The token from `#t=...`, then gone from the address bar and the history entry. */
function takeToken(): string | null {
  const hash = location.hash;
  if (!hash) return null;
  const token = new URLSearchParams(hash.slice(1)).get('t');
  history.replaceState(null, '', location.pathname + location.search);
  return token && TOKEN_SHAPE.test(token) ? token : null;
}

/**
 * Asks what the link opens: the welcome and the password (`open`), or the way back into the setup
 * (`accepted`). `resume` is given when the enrollment token ran out on this page: the step the
 * person was on, to show again once they have signed in again.
 */
async function inspect(resume?: () => void): Promise<void> {
  newStep(null, t.pageTitle);
  say(ui.status, t.loading);
  try {
    invitation = await callJson<InvitationView>(api('/v1/invitations/inspect'), { method: 'POST', body: { token: invitationToken } });
  } catch (error) {
    const refusal = failure(error);
    if (refusal.code === 'link_expired') {
      invitationToken = '';
      if (resume) ended(t.stoppedHeading, t.error_session_over, { signIn: true });
      else ended(t.endedHeading, t.error_link_expired, { signIn: true });
    } else if (refusal.code === 'invalid_request') ended(t.noLinkHeading, t.error_no_link);
    else ended(t.problemHeading, describe(refusal), { retry: () => void inspect(resume) });
    return;
  }
  setLanguage(invitation.locale);
  if (invitation.state === 'accepted') showContinue(invitation, resume);
  else showPassword(invitation);
}

/** The enrollment token ran out (or was ended): back to the link, which still knows the person. */
function stopped(resume: () => void): void {
  enrollment = undefined;
  // Nothing on screen is lost by leaving now: the link leads back here.
  window.removeEventListener('beforeunload', guardUnload);
  if (!invitationToken) return ended(t.stoppedHeading, t.error_session_over, { signIn: true });
  void inspect(resume);
}

// ---------------------------------------------------------------------------------------------
// Step 1: the welcome and the password

/** Whose account, which organisation, until when the link works. */
function detailsList(view: InvitationView): HTMLDListElement {
  return h(
    'dl',
    { class: 'details', 'aria-label': t.detailsLabel },
    ...(
      [
        [t.orgLabel, view.tenantName, 'tenant'],
        [t.nameLabel, view.name, 'name'],
        [t.emailLabel, view.email, 'email'],
        [t.expiresLabel, formatWhen(language, view.expiresAt), 'expires'],
      ] as const
    ).map(([term, value, key]) => h('div', {}, h('dt', {}, term), h('dd', { 'data-testid': `invitation-${key}` }, value))),
  );
}

/** For password managers: the account the password belongs to (shown in the details, not editable). */
function usernameField(email: string): HTMLInputElement {
  return h('input', { type: 'email', name: 'username', autocomplete: 'username', value: email, readonly: true, hidden: true });
}

function showPassword(view: InvitationView): void {
  const min = view.passwordMinLength;
  const details = detailsList(view);

  const password = field('new-password', t.newPasswordLabel, {
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: min,
    maxlength: PASSWORD_MAX,
  });
  password.input.setAttribute('aria-describedby', 'password-rules password-tip');
  const repeat = field('repeat-password', t.repeatPasswordLabel, {
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    maxlength: PASSWORD_MAX,
  });
  const show = h('input', { type: 'checkbox', id: 'show-passwords' });
  const lengthRule = h('li', { 'data-met': 'false' });
  const matchRule = h('li', { 'data-met': 'false' });
  const rules = h(
    'div',
    { id: 'password-rules', class: 'rules' },
    h('p', { class: 'hint' }, t.rulesIntro),
    h('ul', {}, lengthRule, matchRule),
  );
  const updateRules = () => {
    const value = password.input.value;
    const rule = (li: HTMLElement, text: string, met: boolean) => {
      li.dataset.met = String(met);
      replace(li, text, h('span', { class: 'visually-hidden' }, ` ${met ? t.ruleMet : t.ruleUnmet}`));
    };
    rule(lengthRule, fill(t.ruleLength, { min }), [...value].length >= min);
    rule(matchRule, t.ruleMatch, value.length > 0 && value === repeat.input.value);
  };
  updateRules();
  const submit = h('button', { type: 'submit', class: 'primary' }, t.continue);
  const form = h(
    'form',
    { id: 'password-form', novalidate: true },
    usernameField(view.email),
    password.wrap,
    rules,
    repeat.wrap,
    h('div', { class: 'check' }, show, h('label', { for: 'show-passwords' }, t.showPasswords)),
    h('p', { class: 'hint', id: 'password-tip' }, t.passwordTip),
    h('div', { class: 'actions' }, submit),
  );

  newStep(
    0,
    fill(t.welcomeHeading, { name: view.name }),
    h('p', { class: 'intro' }, fill(t.welcomeIntro, { tenant: view.tenantName })),
    details,
    h('h2', {}, t.passwordHeading),
    form,
  );

  show.addEventListener('change', () => {
    for (const input of [password.input, repeat.input]) input.type = show.checked ? 'text' : 'password';
  });
  clearWhenEdited(password.input, repeat.input);
  for (const input of [password.input, repeat.input]) input.addEventListener('input', updateRules);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const input of [password.input, repeat.input]) input.removeAttribute('aria-invalid');
    const value = password.input.value;
    const length = [...value].length;
    if (length === 0) return invalid(password.input, t.errorPasswordEmpty);
    if (length < min) return invalid(password.input, fill(t.errorPasswordShort, { min }));
    if (length > PASSWORD_MAX) return invalid(password.input, fill(t.errorPasswordLong, { max: PASSWORD_MAX }));
    if (repeat.input.value !== value) return invalid(repeat.input, t.errorPasswordMismatch);
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.savingPassword);
    void accept(value).catch((error: unknown) => {
      submit.disabled = false;
      say(ui.status, '');
      const refusal = failure(error);
      // Spent meanwhile (chosen in another window, or expired): the link says which, and how to go on.
      if (refusal.code === 'link_expired') void inspect();
      else if (refusal.code === 'invalid_request') invalid(password.input, fill(t.error_invalid_password, { message: refusal.message }));
      else say(ui.alert, describe(refusal), 'error');
    });
  });
}

async function accept(password: string): Promise<void> {
  const answer = await callJson<InvitationAcceptAnswer>(api('/v1/invitations/accept'), {
    method: 'POST',
    body: { token: invitationToken, password },
  });
  // The password is chosen; the link stays in memory only to find the way back should the
  // enrollment token run out before the second factor is set up.
  if (invitation) invitation = { ...invitation, state: 'accepted', proposedPhone: answer.proposedPhone ?? invitation.proposedPhone };
  startEnrollment(answer.enrollmentToken, answer.methods);
  showSecondFactor();
}

function startEnrollment(token: string, methods: readonly string[]): void {
  enrollment = { token, methods: methods.filter((m): m is FirstFactorMethod => m === 'totp' || m === 'sms') };
  window.addEventListener('beforeunload', guardUnload);
}

// ---------------------------------------------------------------------------------------------
// Step 1 again: the password is chosen, the second factor not yet; the password again to go on

function showContinue(view: InvitationView, resume?: () => void): void {
  const password = field(
    'current-password',
    t.currentPasswordLabel,
    { type: 'password', autocomplete: 'current-password', required: true, maxlength: PASSWORD_MAX },
    [t.currentPasswordHint],
  );
  const show = h('input', { type: 'checkbox', id: 'show-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.continue);
  const form = h(
    'form',
    { id: 'continue-form', novalidate: true },
    usernameField(view.email),
    password.wrap,
    h('div', { class: 'check' }, show, h('label', { for: 'show-password' }, t.showPassword)),
    h('div', { class: 'actions' }, submit),
    h('p', { class: 'hint forgot' }, t.forgotPassword),
  );
  const serial = newStep(
    0,
    t.continueHeading,
    h('p', { class: 'intro', 'data-testid': 'continue-intro' }, resume ? t.continueStopped : t.continueIntro),
    detailsList(view),
    form,
  );

  show.addEventListener('change', () => {
    password.input.type = show.checked ? 'text' : 'password';
  });
  clearWhenEdited(password.input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    password.input.removeAttribute('aria-invalid');
    const value = password.input.value;
    if (value.length === 0) return invalid(password.input, t.errorCurrentPasswordEmpty);
    if ([...value].length > PASSWORD_MAX) return invalid(password.input, fill(t.errorPasswordLong, { max: PASSWORD_MAX }));
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.checkingPassword);
    void signInAgain(view, value).then(
      (answer) => {
        if (serial !== stepSerial) return;
        if (answer.status === 'enrollment_required') {
          resumed = true;
          startEnrollment(answer.enrollmentToken, answer.methods);
          (resume ?? showSecondFactor)();
        } else if (answer.status === 'authenticated') {
          // The organisation asks for no second factor: the password was all there was to set up.
          void showDone(null, answer.sessionToken);
        } else {
          // Finished meanwhile (another window): this account signs in with its second factor now.
          ended(t.endedHeading, t.error_already_set_up, { signIn: true });
        }
      },
      (error: unknown) => {
        if (serial !== stepSerial) return;
        submit.disabled = false;
        say(ui.status, '');
        const refusal = failure(error);
        if (refusal.code === 'invalid_credentials') {
          invalid(password.input, t.error_wrong_password);
          password.input.select();
        } else say(ui.alert, describeSignIn(refusal), 'error');
      },
    );
  });
}

/** POST /v1/auth/login with the invitation's organisation and email; a refusal keeps the Retry-After header. */
async function signInAgain(view: InvitationView, password: string): Promise<LoginAnswer> {
  const response = await send(api('/v1/auth/login'), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: view.tenantSlug, email: view.email, password }),
  });
  try {
    return await readAnswer<LoginAnswer>(response);
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    throw new ApiFailure(error.status, error.code, error.message, {
      ...error.details,
      retryAfterHeader: response.headers.get('retry-after'),
    });
  }
}

/** A sign-in refusal in the person's words (a wrong password is said at its field). */
function describeSignIn(error: ApiFailure): string {
  switch (error.code) {
    case 'too_many_attempts': {
      const seconds = waitSeconds(error);
      return seconds === undefined ? t.error_too_many_attempts : fill(t.error_password_wait, { wait: formatWait(language, seconds) });
    }
    case 'account_locked':
      return typeof error.details.lockedUntil === 'string'
        ? fill(t.error_account_locked, { until: formatWhen(language, error.details.lockedUntil) })
        : t.error_account_locked_plain;
    default:
      return describe(error);
  }
}

/** How long to wait: the Retry-After header (seconds or a date), else what the body says. */
function waitSeconds(error: ApiFailure): number | undefined {
  const { details } = error;
  const header = typeof details.retryAfterHeader === 'string' ? details.retryAfterHeader.trim() : '';
  if (/^\d+$/.test(header)) return Number(header);
  if (header && !Number.isNaN(Date.parse(header))) return Math.max(1, Math.ceil((Date.parse(header) - Date.now()) / 1000));
  for (const key of ['retryAfter', 'retryAfterSeconds']) {
    const value = details[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  if (typeof details.retryAt === 'string' && !Number.isNaN(Date.parse(details.retryAt)))
    return Math.max(1, Math.ceil((Date.parse(details.retryAt) - Date.now()) / 1000));
  return undefined;
}

/** "45 seconds", "3 minutes", "2 hours" in the page's language. */
function formatWait(lang: Language, seconds: number): string {
  const [unit, count] =
    seconds < 120
      ? (['second', Math.max(1, seconds)] as const)
      : seconds < 2 * 3600
        ? (['minute', Math.ceil(seconds / 60)] as const)
        : (['hour', Math.ceil(seconds / 3600)] as const);
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(count);
}

// ---------------------------------------------------------------------------------------------
// Step 2: the second factor

function enroll<T>(path: string, body?: unknown): Promise<T> {
  return callJson<T>(api(path), { method: 'POST', body, headers: { authorization: `Bearer ${enrollment?.token ?? ''}` } });
}

/** The shared setup steps (common/method-choice.ts, totp-setup.ts, phone-setup.ts) as this page shows them: step 2 of 4. */
function setupFlow(): SetupFlow {
  return {
    t: factorSetupCatalogs[language],
    language,
    regions: ui,
    view: ui.view,
    methods: enrollment?.methods ?? [],
    memo: totp,
    resumed,
    proposedPhone: invitation?.proposedPhone ?? null,
    lead: null,
    newStep: (title, ...content) => {
      const serial = newStep(1, title, ...content);
      return () => serial === stepSerial;
    },
    enroll,
    describe: (refusal) => describe(refusal),
    sessionOver: (refusal, resume) => {
      if (!sessionOver(refusal)) return false;
      stopped(() => resume(setupFlow()));
      return true;
    },
    onConfirmed: (enrolled, codes) => showRecovery(codes, enrolled),
    footer: () => null,
  };
}

function showSecondFactor(): void {
  if (!showSecondFactorSetup(setupFlow()))
    ended(t.problemHeading, fill(t.error_other, { status: '-', message: 'no second factor is offered' }));
}

// ---------------------------------------------------------------------------------------------
// Step 3: the recovery codes, shown once, acknowledged before anything goes on

function showRecovery(codes: string[], enrolled: Enrolled): void {
  if (codes.length === 0) {
    // Nothing to save (the account had codes already): finish straight away.
    void complete(enrolled, null, codes);
    return;
  }
  newStep(
    2,
    t.recoveryCodesHeading,
    ...recoveryCodesStep({
      codes,
      t,
      language,
      account: { email: invitation?.email ?? '', tenant: invitation?.tenantName ?? '' },
      regions: ui,
      onFinish: (finish) => void complete(enrolled, finish, codes),
    }),
  );
}

async function complete(enrolled: Enrolled, finish: HTMLButtonElement | null, codes: string[]): Promise<void> {
  let completed: Completed;
  try {
    completed = await enroll<Completed>('/v1/enroll/complete', { recoveryCodesSaved: true });
  } catch (error) {
    if (finish) finish.disabled = false;
    say(ui.status, '');
    const refusal = failure(error);
    // The codes are still the account's (waiting for this step): shown again after signing in again.
    if (sessionOver(refusal)) return stopped(() => showRecovery(codes, enrolled));
    say(ui.alert, describe(refusal), 'error');
    return;
  }
  window.removeEventListener('beforeunload', guardUnload);
  enrollment = undefined;
  await showDone(enrolled, completed.sessionToken);
}

// ---------------------------------------------------------------------------------------------
// Step 4: done

/** `enrolled` null: the organisation asks for no second factor, and signing in again was all. */
async function showDone(enrolled: Enrolled | null, sessionToken: string): Promise<void> {
  // The session the setup ends with is not this page's to keep: it ends here, and the person signs
  // in on the sign-in page.
  window.removeEventListener('beforeunload', guardUnload);
  enrollment = undefined;
  await callJson(api('/v1/auth/logout'), { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } }).catch(() => undefined);
  // Done: the link has nothing more to open.
  invitationToken = '';
  const slug = invitation?.tenantSlug;
  const email = invitation?.email ?? '';
  newStep(
    3,
    t.doneHeading,
    h(
      'p',
      { class: 'done', 'data-testid': 'done' },
      enrolled === null
        ? fill(t.doneNoFactor, { email })
        : enrolled.method === 'sms'
          ? fill(t.doneSms, { email, phone: enrolled.phoneHint ?? '' })
          : fill(t.doneTotp, { email }),
    ),
    slug ? h('p', {}, fill(t.doneOrg, { slug })) : null,
    h('div', { class: 'actions' }, h('a', { class: 'button-link primary', href: signInUrl(slug), id: 'sign-in-link' }, t.signIn)),
  );
}

// ---------------------------------------------------------------------------------------------
// Start

setLanguage(language);
const token = takeToken();
if (token) {
  invitationToken = token;
  void inspect();
} else ended(t.noLinkHeading, t.error_no_link);

// The link opened again in this tab (after a reload left the page without it): the browser only
// changes the fragment, so the page takes the token from there.
window.addEventListener('hashchange', () => {
  const again = takeToken();
  // Halfway through a setup, the page goes on with what it has.
  if (!again || enrollment) return;
  invitationToken = again;
  totp.started = undefined;
  void inspect();
});
