import type { z } from 'zod';
import type { phoneResetDone, phoneResetInfo, smsSentAnswer } from '../../shared/api/end-user.js';
import { sixDigits } from '../common/codes.js';
import { byId, clearWhenEdited, field, h, markInvalid, replace, say } from '../common/dom.js';
import { asFailure, callJson, type ApiFailure } from '../common/http.js';
import { fill, formatWhen } from '../common/i18n.js';
import { browserTexts } from './i18n.js';

/**
 * The page the phone reset link opens (`<server>/phone-reset/<token>`, emailed by support): whose
 * account it is and its current number, masked (GET /v1/phone-reset/{token}); the new number, typed
 * as people type it (the server reads a national number with the tenant's country), which gets a
 * code by SMS (POST /v1/phone-reset/{token}); the code, spaces and dashes allowed (POST
 * /v1/phone-reset/{token}/confirm); then the result. The token is in the path, so the server sends
 * this page with no Referer policy and never lets it be cached; it stays in this page's memory.
 */

type Info = z.infer<typeof phoneResetInfo>;
type Sent = z.infer<typeof smsSentAnswer>;
type Done = z.infer<typeof phoneResetDone>;

const { language, t } = browserTexts(navigator);
/** `<base>/phone-reset/<token>`: the API is under the same base. */
const address = /^(.*)\/phone-reset\/([^/]+)$/.exec(location.pathname);
const apiBase = address?.[1] ?? '';
const token = address?.[2] ?? '';
const resetApi = (path = '') => `${apiBase}/v1/phone-reset/${encodeURIComponent(token)}${path}`;

const ui = {
  title: byId('title'),
  status: byId('status'),
  alert: byId('alert'),
  view: byId('view'),
};

let info: Info | undefined;
/** The number last typed, offered again when the person asks for a new code. */
let typedPhone = '';

function describe(error: ApiFailure): string {
  switch (error.code) {
    case 'not_found':
    case 'invalid_request':
      return t.error_not_found;
    case 'link_expired':
      return t.error_link_expired;
    case 'invalid_phone':
      return t.error_invalid_phone;
    case 'sms_country_not_allowed':
      return t.error_sms_country;
    case 'sms_limit_reached':
      return t.error_sms_limit;
    case 'invalid_code': {
      const left = error.details.attemptsLeft;
      if (typeof left !== 'number' || left <= 0) return t.error_code_spent;
      return `${t.error_invalid_code} ${fill(t.attemptsLeft, { count: left })}`;
    }
    case 'too_many_attempts':
      return t.error_too_many;
    case 'network':
      return t.error_network;
    default:
      // The server's own message is English and for developers: the status is what support needs.
      return fill(t.error_other, { status: error.status || '-' });
  }
}

/** The link itself is over: nothing on the page can go on. */
const linkOver = (error: ApiFailure) => ['not_found', 'invalid_request', 'link_expired'].includes(error.code);

/** A new step: its heading takes the focus, so a screen reader starts there. */
function newStep(title: string, ...content: Array<Node | null | false>): void {
  say(ui.status, '');
  say(ui.alert, '');
  ui.title.textContent = title;
  replace(ui.view, ...content);
  ui.title.focus();
}

function linkProblem(error: ApiFailure): void {
  newStep(t.problemHeading);
  say(ui.alert, describe(error), 'error');
}

async function open(): Promise<void> {
  say(ui.alert, '');
  say(ui.status, t.opening);
  try {
    info = await callJson<Info>(resetApi(), { method: 'GET' });
  } catch (error) {
    const refusal = asFailure(error);
    if (linkOver(refusal)) return linkProblem(refusal);
    const retry = h('button', { type: 'button', class: 'primary', id: 'try-again' }, t.tryAgain);
    retry.addEventListener('click', () => void open());
    newStep(t.title, h('div', { class: 'actions' }, retry));
    say(ui.alert, describe(refusal), 'error');
    return;
  }
  showPhone(info);
}

function details(current: Info): HTMLElement {
  const row = (label: string, value: string, testId: string) => h('div', {}, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
  return h(
    'dl',
    { class: 'details' },
    row(t.accountLabel, current.email, 'reset-email'),
    row(t.tenantLabel, current.tenant, 'reset-tenant'),
    row(t.currentLabel, current.currentPhone ?? t.noCurrent, 'reset-current'),
    row(t.validUntilLabel, formatWhen(language, current.expiresAt), 'reset-expires'),
  );
}

function showPhone(current: Info): void {
  const phone = field(
    'phone',
    t.phoneLabel,
    { type: 'tel', autocomplete: 'tel', inputmode: 'tel', required: true, maxlength: 32, value: typedPhone || null },
    [t.phoneHint],
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, t.sendCode);
  const form = h('form', { id: 'phone-form', novalidate: true }, phone.wrap, h('div', { class: 'actions' }, submit));
  newStep(t.title, h('p', { class: 'intro', id: 'reset-intro' }, t.intro), details(current), form);
  clearWhenEdited(ui.alert, phone.input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = phone.input.value.trim();
    if (typed === '') return markInvalid(ui.alert, phone.input, t.error_phone_empty);
    // Too short to be a number: said here, as the server would refuse it (and a refused body reads as a bad link).
    if (typed.replace(/\D/g, '').length < 3) return markInvalid(ui.alert, phone.input, t.error_invalid_phone);
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.sending);
    void callJson<Sent>(resetApi(), { method: 'POST', body: { phone: typed } }).then(
      (sent) => {
        typedPhone = typed;
        showCode(current, sent);
      },
      (error: unknown) => {
        submit.disabled = false;
        say(ui.status, '');
        const refusal = asFailure(error);
        if (linkOver(refusal)) return linkProblem(refusal);
        if (refusal.code === 'invalid_phone' || refusal.code === 'sms_country_not_allowed') {
          markInvalid(ui.alert, phone.input, describe(refusal));
          phone.input.select();
          return;
        }
        say(ui.alert, describe(refusal), 'error');
      },
    );
  });
}

function showCode(current: Info, sent: Sent): void {
  const code = field(
    'code',
    t.codeLabel,
    {
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      spellcheck: 'false',
      maxlength: 16,
      required: true,
      'aria-describedby': 'code-sent',
    },
    [t.codeHint],
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, t.confirm);
  const form = h('form', { id: 'code-form', novalidate: true }, code.wrap, h('div', { class: 'actions' }, submit));
  const another = h('button', { type: 'button', class: 'link', id: 'another' }, t.another);
  another.addEventListener('click', () => showPhone(current));
  newStep(
    t.codeHeading,
    h(
      'p',
      { id: 'code-sent', 'data-testid': 'code-sent' },
      fill(t.codeSent, { to: sent.sentTo, time: formatWhen(language, sent.expiresAt) }),
    ),
    h('p', { class: 'hint', id: 'codes-left' }, fill(t.codesLeft, { count: sent.remainingToday })),
    form,
    h('p', { class: 'another' }, another),
  );
  clearWhenEdited(ui.alert, code.input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = sixDigits(code.input.value);
    if (typed === null) return markInvalid(ui.alert, code.input, t.error_code_digits);
    submit.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.confirming);
    void callJson<Done>(resetApi('/confirm'), { method: 'POST', body: { code: typed } }).then(
      (done) => showDone(done),
      (error: unknown) => {
        submit.disabled = false;
        say(ui.status, '');
        const refusal = asFailure(error);
        if (linkOver(refusal)) return linkProblem(refusal);
        markInvalid(ui.alert, code.input, describe(refusal));
        code.input.select();
      },
    );
  });
}

function showDone(done: Done): void {
  typedPhone = '';
  newStep(
    t.doneHeading,
    h('p', { class: 'done', id: 'reset-done', 'data-testid': 'reset-done' }, fill(t.done, { to: done.phoneHint })),
    h('p', {}, t.doneEffects),
  );
}

document.documentElement.lang = language;
document.title = t.title;
// The heading says what the page is for even before the link is read.
ui.title.textContent = t.title;
void open();
