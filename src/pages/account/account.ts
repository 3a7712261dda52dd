import type { z } from 'zod';
import type { ChallengeMethod, meAnswer, recoveryCodesAnswer } from '../../shared/api/end-user.js';
import type { FactorView, TrustedDeviceView } from '../../shared/api/views.js';
import { clearWhenEdited, field, h, markInvalid, say } from '../common/dom.js';
import { asFailure, callJson, type ApiFailure } from '../common/http.js';
import { fill, formatTime, formatWhen, pickLanguage, type Language } from '../common/i18n.js';
import { recoveryCodesCatalogs, recoveryCodesStep } from '../common/recovery-codes.js';
import { accountCatalogs } from './i18n.js';

/**
 * The account page at `<server>/account/`: the hosted sign-in's third mode (src/pages/sign-in/mode.ts).
 * The person signs in with the sign-in page's own steps; where the standalone sign-in would say "You
 * are signed in as", the sign-in bundle calls `openAccount` with the session, and this module shows
 * the account on the end-user API (src/shared/api/end-user.ts):
 *
 * - who is signed in and the organisation, the second factors and the recovery codes left (GET /v1/me);
 * - new recovery codes (POST /v1/me/recovery-codes), shown with the must-confirm-saved step
 *   (common/recovery-codes.ts);
 * - the remembered devices (GET /v1/me/devices), each with "Forget" (DELETE /v1/me/devices/{id}), and
 *   "Forget all devices" (DELETE /v1/me/devices);
 * - a new password (POST /v1/me/password), which ends the other sessions and remembered devices;
 * - signing out (POST /v1/auth/logout).
 *
 * New recovery codes and a new password need a fresh second factor: the server answers 403
 * `step_up_required` with a challenge, the sign-in page's code steps answer it (`AccountHost.stepUp`),
 * their answer is a new session token (the old one has ended), and the change is asked again with it.
 *
 * The session token lives in this module's memory only: a reload signs out (the page says so).
 */

type Me = z.infer<typeof meAnswer>;
type RecoveryCodes = z.infer<typeof recoveryCodesAnswer>;

/** A step-up the account asks the sign-in's code steps for. */
export interface StepUp {
  challengeId: string;
  methods: ChallengeMethod[];
  /** The SMS factor's number, masked, for "Send a code to …". */
  phoneHint: string | null;
  /** Why a code is asked, under the step's heading. */
  intro: string;
  /** The words of a push denied or reported on the device (nothing changed; the person is still signed in). */
  pushDenied: string;
  pushFraud: string;
  /** Right: the new session token (the one before it has ended). */
  verified(sessionToken: string): void;
  /** The person went back without answering. */
  back(): void;
  /** The challenge cannot go on (expired, locked, denied...): why, and the refusal when there was one. */
  ended(why: string, refusal?: ApiFailure): void;
}

/** What the sign-in page lends the account view: its regions, its steps, its language and its words for refusals. */
export interface AccountHost {
  api(path: string): string;
  regions: { status: HTMLElement; alert: HTMLElement };
  language(): Language;
  setLanguage(language: Language): void;
  /** A new step: heading set and focused, the regions cleared, `content` in the view; the check says whether it is still on screen. */
  newStep(title: string, ...content: Array<Node | null | false>): () => boolean;
  /** The sign-in page's code steps (push, SMS, app, recovery code) for a step-up challenge. */
  stepUp(challenge: StepUp): void;
  /** A refusal the account's words do not cover (the network, a code...), in the sign-in page's words. */
  describe(refusal: ApiFailure): string;
  /** Back to the sign-in form, the session forgotten; `message` said in the status (info, success) or alert (error) region. */
  signIn(message: string, kind: 'info' | 'success' | 'error'): void;
}

/** The server's bounds on a new password (src/shared/api/end-user.ts `passwordChangeRequest`). */
const PASSWORD_MIN = 12;
const PASSWORD_MAX = 1024;

/** What the view shows once drawn again: a message, where the focus goes, a field to mark refused. */
interface After {
  status?: string;
  alert?: string;
  focus?: string;
  invalid?: string;
  /** The new password typed before a refusal about the current one: typed again for the person. */
  newPassword?: string;
}

export function openAccount(host: AccountHost, sessionToken: string): void {
  let session = sessionToken;
  /** Signed out (or the session ended): every answer still on its way is dropped. */
  let over = false;
  let me: Me | undefined;
  let devices: TrustedDeviceView[] = [];
  let onScreen: () => boolean = () => false;
  const a = () => accountCatalogs[host.language()];
  const { status, alert } = host.regions;

  const call = <T>(method: string, path: string, body?: unknown) =>
    callJson<T>(host.api(path), { method, body, headers: { authorization: `Bearer ${session}` } });

  // New recovery codes on screen: leaving (or reloading) loses them.
  const guard = (event: BeforeUnloadEvent) => event.preventDefault();
  const stopGuard = () => window.removeEventListener('beforeunload', guard);

  function signOutHere(message: string, kind: 'info' | 'success' | 'error'): void {
    over = true;
    session = '';
    stopGuard();
    host.signIn(message, kind);
  }

  /** The session is gone (expired, ended by support, a password changed elsewhere): signed out here too. */
  function sessionGone(refusal: ApiFailure): boolean {
    if (refusal.code !== 'unauthorized' && refusal.code !== 'invalid_token') return false;
    signOutHere(a().error_session_over, 'error');
    return true;
  }

  /** A refusal in the person's words; `typed`: the password change's fields. */
  function describe(refusal: ApiFailure, typed?: { current: string; next: string }): string {
    const t = a();
    switch (refusal.code) {
      case 'invalid_credentials':
        return t.error_current_password;
      case 'too_many_attempts':
        if (typed && typeof refusal.details.retryAt === 'string')
          return fill(t.error_too_many_passwords, { time: formatTime(host.language(), refusal.details.retryAt) });
        break;
      case 'invalid_request':
        if (typed) return typed.current === typed.next ? t.error_password_same : t.error_password_short;
        break;
      case 'forbidden':
      case 'enrollment_incomplete':
        return t.error_no_factor;
    }
    return host.describe(refusal);
  }

  async function load(): Promise<void> {
    const [account, remembered] = await Promise.all([
      call<Me>('GET', '/v1/me'),
      call<{ devices: TrustedDeviceView[] }>('GET', '/v1/me/devices'),
    ]);
    me = account;
    devices = remembered.devices;
  }

  async function open(): Promise<void> {
    say(alert, '');
    say(status, a().opening);
    try {
      await load();
    } catch (error) {
      if (over) return;
      const refusal = asFailure(error);
      if (sessionGone(refusal)) return;
      const retry = h('button', { type: 'button', class: 'primary', id: 'try-again' }, a().tryAgain);
      retry.addEventListener('click', () => void open());
      onScreen = host.newStep(a().title, h('div', { class: 'actions' }, retry));
      say(alert, describe(refusal), 'error');
      return;
    }
    if (over || !me) return;
    // The person's own language, when the pages speak it; else the one the page chose (the browser's).
    const locale = me.user.locale.toLowerCase();
    const own = pickLanguage([locale]);
    if (own !== 'en' || locale === 'en' || locale.startsWith('en-')) host.setLanguage(own);
    renderView();
  }

  /** Read again, then the view; a failure is said over the view as it was. */
  async function refresh(after: After = {}): Promise<void> {
    try {
      await load();
    } catch (error) {
      if (over) return;
      const refusal = asFailure(error);
      if (sessionGone(refusal)) return;
      renderView({ ...after, alert: describe(refusal) });
      return;
    }
    if (!over) renderView(after);
  }

  // -------------------------------------------------------------------------------------------
  // The view

  function renderView(after: After = {}): void {
    if (!me) return;
    const t = a();
    const language = host.language();
    onScreen = host.newStep(
      t.title,
      h('p', { class: 'hint memory-only', id: 'memory-only' }, t.memoryOnly),
      whoSection(me),
      factorsSection(me),
      devicesSection(),
      passwordSection(after.newPassword),
      signOutSection(),
    );
    document.title = t.title;
    document.documentElement.lang = language;
    if (after.status) say(status, after.status, 'success');
    if (after.alert) say(alert, after.alert, 'error');
    const invalid = after.invalid ? document.getElementById(after.invalid) : null;
    if (invalid) invalid.setAttribute('aria-invalid', 'true');
    const focus = after.focus ?? after.invalid;
    if (focus) document.getElementById(focus)?.focus();
  }

  function section(id: string, title: string, ...content: Array<Node | null | false>): HTMLElement {
    return h(
      'section',
      { class: 'account-part', 'aria-labelledby': `${id}-heading` },
      h('h2', { id: `${id}-heading`, tabindex: -1 }, title),
      ...content,
    );
  }

  function whoSection(account: Me): HTMLElement {
    const t = a();
    const row = (label: string, value: string, testId: string) =>
      h('div', {}, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
    return section(
      'who',
      t.whoHeading,
      h(
        'dl',
        { class: 'details' },
        row(t.nameLabel, account.user.name, 'account-name'),
        row(t.emailLabel, account.user.email, 'account-email'),
        row(t.tenantLabel, account.tenant.name, 'account-tenant'),
      ),
    );
  }

  function factorName(factor: FactorView): string {
    const t = a();
    if (factor.type === 'sms') return fill(t.factorSms, { phone: factor.phoneHint ?? '' });
    return factor.type === 'push' ? t.factorPush : t.factorTotp;
  }

  function factorsSection(account: Me): HTMLElement {
    const t = a();
    const language = host.language();
    if (account.factors.length === 0) return section('factors', t.factorsHeading, h('p', { class: 'empty' }, t.noFactors));
    const items = account.factors.map((factor) =>
      h(
        'li',
        { 'data-factor': factor.type },
        h('span', { class: 'item-name' }, factorName(factor)),
        h('span', { class: 'item-detail' }, fill(t.factorSince, { date: formatWhen(language, factor.since) })),
      ),
    );
    items.push(
      h(
        'li',
        { 'data-factor': 'recovery_code' },
        h('span', { class: 'item-name' }, t.recoveryName),
        h('span', { class: 'item-detail', 'data-testid': 'recovery-left' }, fill(t.recoveryLeft, { count: account.recoveryCodesLeft })),
      ),
    );
    const button = h('button', { type: 'button', id: 'new-codes', 'aria-describedby': 'new-codes-hint' }, t.newCodes);
    button.addEventListener('click', () => newRecoveryCodes(button));
    return section(
      'factors',
      t.factorsHeading,
      h('ul', { class: 'items', id: 'factors' }, ...items),
      h('div', { class: 'actions' }, button),
      h('p', { class: 'hint', id: 'new-codes-hint' }, t.newCodesHint),
    );
  }

  function devicesSection(): HTMLElement {
    const t = a();
    const language = host.language();
    if (devices.length === 0) return section('devices', t.devicesHeading, h('p', { class: 'empty', id: 'no-devices' }, t.noDevices));
    const items = devices.map((device, index) => {
      const button = h(
        'button',
        { type: 'button', class: 'forget', 'data-device': device.id },
        t.forget,
        h('span', { class: 'visually-hidden' }, ` ${device.label}`),
      );
      button.addEventListener('click', () => forget(device, button));
      return h(
        'li',
        { 'data-testid': 'device' },
        h(
          'div',
          {},
          h('span', { class: 'item-name', id: `device-${index}` }, device.label),
          h(
            'span',
            { class: 'item-detail' },
            `${fill(t.deviceRemembered, { date: formatWhen(language, device.createdAt) })} ${
              device.lastUsedAt ? fill(t.deviceLastUsed, { date: formatWhen(language, device.lastUsedAt) }) : t.deviceNotUsed
            } ${fill(t.deviceUntil, { date: formatWhen(language, device.expiresAt) })}`,
          ),
        ),
        button,
      );
    });
    const all = h('button', { type: 'button', id: 'forget-all' }, t.forgetAll);
    all.addEventListener('click', () => forget(null, all));
    return section(
      'devices',
      t.devicesHeading,
      h('p', { class: 'hint', id: 'devices-hint' }, t.devicesHint),
      h('ul', { class: 'items devices', id: 'devices' }, ...items),
      devices.length > 1 ? h('div', { class: 'actions' }, all) : null,
    );
  }

  function passwordSection(newPassword = ''): HTMLElement {
    const t = a();
    const current = field('current-password', t.currentPasswordLabel, {
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    const next = field(
      'new-password',
      t.newPasswordLabel,
      { type: 'password', autocomplete: 'new-password', required: true, maxlength: PASSWORD_MAX, value: newPassword || null },
      [t.newPasswordHint],
    );
    const repeat = field('repeat-password', t.repeatPasswordLabel, {
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      maxlength: PASSWORD_MAX,
      value: newPassword || null,
    });
    const submit = h('button', { type: 'submit', class: 'primary', 'aria-describedby': 'password-effect' }, t.changePassword);
    const form = h(
      'form',
      { id: 'password-form', novalidate: true, 'aria-labelledby': 'password-heading' },
      current.wrap,
      next.wrap,
      repeat.wrap,
      h('div', { class: 'actions' }, submit),
    );
    clearWhenEdited(alert, current.input, next.input, repeat.input);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const typed = { current: current.input.value, next: next.input.value };
      for (const f of [current, next, repeat]) f.input.removeAttribute('aria-invalid');
      if (typed.current === '') return markInvalid(alert, current.input, t.error_current_empty);
      if (typed.next.length < PASSWORD_MIN) return markInvalid(alert, next.input, t.error_password_short);
      if (typed.next.length > PASSWORD_MAX) return markInvalid(alert, next.input, t.error_password_long);
      if (repeat.input.value !== typed.next) return markInvalid(alert, repeat.input, t.error_password_repeat);
      if (typed.next === typed.current) return markInvalid(alert, next.input, t.error_password_same);
      submit.disabled = true;
      say(alert, '');
      say(status, t.changingPassword);
      withStepUp(
        () => call('POST', '/v1/me/password', { currentPassword: typed.current, newPassword: typed.next }),
        { intro: t.stepUpPassword, busy: t.changingPassword },
        () => passwordChanged(),
        (refusal) => {
          const why = describe(refusal, typed);
          const invalid =
            refusal.code === 'invalid_credentials' ? 'current-password' : refusal.code === 'invalid_request' ? 'new-password' : undefined;
          if (onScreen()) {
            submit.disabled = false;
            say(status, '');
            const input = invalid === 'current-password' ? current.input : invalid ? next.input : null;
            if (input) markInvalid(alert, input, why);
            else say(alert, why, 'error');
            return;
          }
          // After a step-up (a recovery code may have been spent: read again): the view, the refused field
          // marked; a wrong current password keeps the new one typed.
          void refresh({ alert: why, invalid, newPassword: invalid === 'current-password' ? typed.next : undefined });
        },
      );
    });
    return section('password', t.passwordHeading, h('p', { class: 'hint', id: 'password-effect' }, t.passwordEffect), form);
  }

  function signOutSection(): HTMLElement {
    const button = h('button', { type: 'button', id: 'sign-out' }, a().signOut);
    button.addEventListener('click', () => signOut(button));
    return h('div', { class: 'actions sign-out' }, button);
  }

  // -------------------------------------------------------------------------------------------
  // The changes

  /**
   * Asks for a change; a `step_up_required` answer opens the sign-in's code steps for its challenge,
   * and a right code asks again with the session it brings.
   */
  function withStepUp<T>(
    request: () => Promise<T>,
    words: { intro: string; busy: string },
    done: (answer: T) => void,
    refused: (refusal: ApiFailure) => void,
  ): void {
    request().then(
      (answer) => {
        if (!over) done(answer);
      },
      (error: unknown) => {
        if (over) return;
        const refusal = asFailure(error);
        if (sessionGone(refusal)) return;
        const { challengeId, methods } = refusal.details;
        if (refusal.code !== 'step_up_required' || typeof challengeId !== 'string' || !Array.isArray(methods)) return refused(refusal);
        say(status, '');
        host.stepUp({
          challengeId,
          methods: methods as ChallengeMethod[],
          phoneHint: me?.factors.find((factor) => factor.type === 'sms')?.phoneHint ?? null,
          intro: words.intro,
          pushDenied: a().pushDenied,
          pushFraud: a().pushFraud,
          verified: (token) => {
            if (over) return;
            session = token;
            say(alert, '');
            say(status, words.busy);
            withStepUp(request, words, done, refused);
          },
          back: () => renderView(),
          ended: (why, ending) => {
            if (over || (ending && sessionGone(ending))) return;
            void refresh({ alert: why });
          },
        });
      },
    );
  }

  function newRecoveryCodes(button: HTMLButtonElement): void {
    const t = a();
    button.disabled = true;
    say(alert, '');
    say(status, t.gettingCodes);
    withStepUp(
      () => call<RecoveryCodes>('POST', '/v1/me/recovery-codes', {}),
      { intro: t.stepUpCodes, busy: t.gettingCodes },
      (answer) => showCodes(answer.recoveryCodes),
      (refusal) => {
        if (!onScreen()) return void refresh({ alert: describe(refusal) });
        button.disabled = false;
        say(status, '');
        say(alert, describe(refusal), 'error');
      },
    );
  }

  function showCodes(codes: string[]): void {
    if (!me) return;
    const language = host.language();
    const words = recoveryCodesCatalogs[language];
    onScreen = host.newStep(
      words.recoveryCodesHeading,
      ...recoveryCodesStep({
        codes,
        t: words,
        language,
        account: { email: me.user.email, tenant: me.tenant.name },
        regions: host.regions,
        onFinish: () => {
          stopGuard();
          void refresh({ status: a().newCodesSaved });
        },
      }),
    );
    window.addEventListener('beforeunload', guard);
  }

  function forget(device: TrustedDeviceView | null, button: HTMLButtonElement): void {
    const t = a();
    button.disabled = true;
    say(alert, '');
    say(status, t.forgetting);
    const path = device ? `/v1/me/devices/${encodeURIComponent(device.id)}` : '/v1/me/devices';
    call('DELETE', path).then(
      () => {
        if (over) return;
        const said = device ? fill(t.forgotten, { label: device.label }) : t.allForgotten;
        void refresh({ status: said, focus: 'devices-heading' });
      },
      (error: unknown) => {
        if (over) return;
        const refusal = asFailure(error);
        if (sessionGone(refusal)) return;
        if (refusal.code === 'not_found') return void refresh({ alert: t.error_device_gone, focus: 'devices-heading' });
        button.disabled = false;
        say(status, '');
        say(alert, describe(refusal), 'error');
      },
    );
  }

  function passwordChanged(): void {
    const t = a();
    const back = h('button', { type: 'button', class: 'primary', id: 'back-to-account' }, t.backToAccount);
    back.addEventListener('click', () => void refresh());
    onScreen = host.newStep(
      t.passwordChangedHeading,
      h('p', { class: 'done', id: 'password-changed', 'data-testid': 'password-changed' }, t.passwordChanged),
      h('div', { class: 'actions' }, back),
    );
  }

  function signOut(button: HTMLButtonElement): void {
    const t = a();
    const expiresAt = me?.session.expiresAt;
    button.disabled = true;
    say(alert, '');
    say(status, t.signingOut);
    call('POST', '/v1/auth/logout', {}).then(
      () => signOutHere(t.signedOut, 'success'),
      (error: unknown) => {
        const refusal = asFailure(error);
        // Ended already (expired, ended elsewhere): signed out all the same.
        if (refusal.status === 401) return signOutHere(t.signedOut, 'success');
        signOutHere(fill(t.error_logout, { time: expiresAt ? formatTime(host.language(), expiresAt) : null }), 'error');
      },
    );
  }

  void open();
}
