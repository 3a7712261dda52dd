import type { PushDeviceState } from '../../shared/api/push.js';
import { fromBase64Url, parseEnrollmentLink } from '../../shared/push/protocol.js';
import { withoutSeparators } from '../../shared/typed-code.js';
import { byId, h, replace, say } from '../common/dom.js';
import { ApiFailure } from '../common/http.js';
import { describeBrowser, fill, formatTime, minutesSeconds } from '../common/i18n.js';
import {
  completeEnrollment,
  fetchPending,
  fetchVapidKey,
  followEvents,
  respond,
  sendSubscription,
  type Enrollment,
  type PendingItem,
  type PushSubscriptionJson,
  type RespondAnswer,
} from './device-api.js';
import { texts } from './i18n.js';
import { listAccounts, removeAccount, saveAccount, type StoredAccount } from './store.js';

/**
 * The authenticator PWA: enrolls by its link, keeps each account's non-extractable key in
 * IndexedDB, lists pending approvals (an event stream while open, polling when that fails, Web Push
 * when the person allows it), shows who is signing in where, and answers with the typed code, a
 * denial, or a fraud report. Every text node is built with `h()`; nothing is parsed as HTML.
 */

const { language, t } = texts(navigator);
const POLL_MS = 3_000;
const STREAM_RETRY_MIN_MS = 3_000;
const STREAM_RETRY_MAX_MS = 60_000;
/** This app's own server: the page is served at `<server>/authenticator/`. */
const ownServerUrl = new URL('..', location.href).href.replace(/\/+$/, '');

const ui = {
  status: byId('status'),
  alert: byId('alert'),
  enroll: byId('enroll'),
  pending: byId('pending'),
  notify: byId('notify'),
  accounts: byId('accounts'),
};

const accounts = new Map<string, StoredAccount>();
const syncs = new Map<string, AccountSync>();
const pending = new Map<string, PendingItem[]>();
const cards = new Map<string, Card>();
let vapidKey: string | null = null;

function failure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, 'client_error', error instanceof Error ? error.message : String(error));
}

/** A refusal in words: the stable code decides the sentence; the server's English only fills the generic one. */
function describe(error: ApiFailure): string {
  const known: Record<string, string> = {
    invalid_code: t.error_invalid_code,
    conflict: t.error_conflict,
    method_not_available: t.error_method_not_available,
    invalid_signature: t.error_invalid_signature,
    forbidden: t.error_forbidden,
    not_found: t.error_not_found,
    network: t.error_network,
    too_many_attempts: t.error_too_many_attempts,
  };
  return known[error.code] ?? fill(t.error_other, { status: error.status || '-', message: error.message });
}

/** A refusal of a suspended or removed device says which it is (`deviceState`). */
function refusedState(error: ApiFailure): PushDeviceState | null {
  const state = error.details.deviceState;
  return state === 'pending' || state === 'active' || state === 'suspended' || state === 'revoked' ? state : null;
}

function stateText(state: PushDeviceState): string {
  return { pending: t.state_pending, active: t.state_active, suspended: t.state_suspended, revoked: t.state_revoked }[state];
}

// ---------------------------------------------------------------------------------------------
// Keeping up with the server: an event stream per account, polling while it is down.

class AccountSync {
  streaming = false;
  /** The last refusal (suspended, unknown device, unreachable), shown with the account. */
  problem: ApiFailure | null = null;
  private readonly abort = new AbortController();
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private retryMs = STREAM_RETRY_MIN_MS;
  private inFlight = false;
  private again = false;
  private stopped = false;

  constructor(private readonly deviceId: string) {}

  start(): void {
    this.startPolling();
    void this.refresh();
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.stopPolling();
  }

  private get account(): StoredAccount | undefined {
    return accounts.get(this.deviceId);
  }

  private startPolling(): void {
    this.pollTimer ??= setInterval(() => {
      // A device the server refuses (suspended, removed) is asked again on focus, not every 3 s.
      if (!this.refused()) void this.refresh();
    }, POLL_MS);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private refused(): boolean {
    return this.problem !== null && (this.problem.status === 401 || this.problem.status === 403);
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      const account = this.account;
      if (!account) return;
      try {
        await followEvents(
          account,
          this.abort.signal,
          () => {
            this.streaming = true;
            this.retryMs = STREAM_RETRY_MIN_MS;
            this.stopPolling();
            renderConnection();
            // Whatever arrived while the stream was down.
            void this.refresh();
          },
          // `pending` names a new request; any other event (a state change) is worth a look as well.
          () => void this.refresh(),
        );
      } catch {
        // Refused or cut: polling covers the gap, and the stream is tried again below.
      }
      if (this.stopped) return;
      this.streaming = false;
      this.startPolling();
      renderConnection();
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, STREAM_RETRY_MAX_MS);
    }
  }

  async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      do {
        this.again = false;
        const account = this.account;
        if (!account || this.stopped) return;
        try {
          const answer = await fetchPending(account);
          const hadProblem = this.problem !== null;
          this.problem = null;
          await updateState(account, answer.deviceState, hadProblem);
          setPending(account.deviceId, answer.items);
        } catch (error) {
          this.problem = failure(error);
          const state = refusedState(this.problem);
          if (state) await updateState(account, state, true);
          else renderAccounts();
        }
      } while (this.again);
    } finally {
      this.inFlight = false;
    }
  }
}

function refreshAll(): void {
  for (const sync of syncs.values()) void sync.refresh();
}

async function updateState(account: StoredAccount, state: PushDeviceState, force = false): Promise<void> {
  if (account.state !== state) {
    account.state = state;
    await saveAccount(account);
    renderAccounts();
  } else if (force) renderAccounts();
}

function setPending(deviceId: string, items: PendingItem[]): void {
  pending.set(deviceId, items);
  renderRequests();
}

// ---------------------------------------------------------------------------------------------
// Requests: one card per pending approval, kept across refreshes (the typed code and the focus stay).

interface Card {
  key: string;
  deviceId: string;
  item: PendingItem;
  root: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  expiry: HTMLElement;
  message: HTMLElement;
  confirm: HTMLElement;
  buttons: HTMLButtonElement[];
  approve: HTMLButtonElement;
  fraud: HTMLButtonElement;
  busy: boolean;
  expired: boolean;
}

let requestList: HTMLElement;
let requestsHeading: HTMLElement;
let noRequests: HTMLElement;
let connectionLine: HTMLElement;

function buildPendingSection(): void {
  requestsHeading = h('h2', { id: 'pending-heading', tabindex: -1 }, t.pendingHeading);
  noRequests = h('p', { class: 'empty', id: 'no-requests' }, t.loading);
  requestList = h('div', { class: 'requests' });
  connectionLine = h('p', { class: 'connection', id: 'connection' });
  ui.pending.setAttribute('aria-labelledby', 'pending-heading');
  replace(ui.pending, requestsHeading, noRequests, requestList, connectionLine);
}

function renderConnection(): void {
  const all = [...syncs.values()];
  connectionLine.hidden = all.length === 0;
  const live = all.length > 0 && all.every((sync) => sync.streaming);
  connectionLine.textContent = live ? t.liveStream : t.livePolling;
  connectionLine.dataset.live = String(live);
}

function appText(item: PendingItem): string {
  if (item.context.kind === 'device_test') return t.appDeviceTest;
  if (item.context.app === 'sign-in') return t.appSignIn;
  if (item.context.app === 'account') return t.appAccount;
  return fill(t.appModule, { app: item.context.app });
}

function idFor(key: string): string {
  return `r-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function row(label: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function createCard(account: StoredAccount, item: PendingItem): Card {
  const key = `${account.deviceId}:${item.id}`;
  const id = idFor(key);
  const test = item.context.kind === 'device_test';
  const message = h('p', { class: 'message', id: `${id}-message`, role: 'alert' });
  const input = h('input', {
    id: `${id}-code`,
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    spellcheck: 'false',
    required: true,
    class: 'code-input',
    'aria-describedby': `${id}-help ${id}-format ${id}-message`,
  });
  const approve = h('button', { type: 'submit', class: 'primary' }, t.approve);
  const deny = h('button', { type: 'button' }, t.deny);
  const fraud = h('button', { type: 'button', class: 'danger' }, t.fraud);
  const fraudYes = h('button', { type: 'button', class: 'danger' }, t.fraudYes);
  const fraudNo = h('button', { type: 'button' }, t.cancel);
  const confirm = h(
    'div',
    { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': `${id}-confirm-text` },
    h('p', { id: `${id}-confirm-text` }, t.fraudConfirm),
    h('div', { class: 'actions' }, fraudYes, fraudNo),
  );
  const expiry = h('p', { class: 'expiry', id: `${id}-expiry` });
  const form = h(
    'form',
    { class: 'answer', novalidate: true },
    h('label', { for: input.id }, test ? t.codeLabelTest : t.codeLabel),
    h('p', { class: 'hint', id: `${id}-format` }, t.codeFormat),
    input,
    h('div', { class: 'actions' }, approve, deny, fraud),
  );
  const root = h(
    'article',
    { class: `request${test ? ' test' : ''}`, 'aria-labelledby': `${id}-title`, 'data-request-id': item.id },
    h('h3', { id: `${id}-title` }, test ? t.deviceTest : t.signInRequest),
    h('p', { class: 'help', id: `${id}-help` }, test ? t.deviceTestHelp : t.signInHelp),
    h(
      'dl',
      { class: 'context' },
      row(t.fieldAccount, fill(t.accountAt, account.account)),
      row(t.fieldWhat, appText(item)),
      row(t.fieldIp, item.context.ip),
      row(t.fieldPlace, item.context.place ?? t.placeUnknown),
      row(t.fieldBrowser, item.context.browser),
      row(t.fieldTime, formatTime(language, item.context.at)),
    ),
    expiry,
    form,
    confirm,
    message,
  );
  const card: Card = {
    key,
    deviceId: account.deviceId,
    item,
    root,
    form,
    input,
    expiry,
    message,
    confirm,
    buttons: [approve, deny, fraud, fraudYes, fraudNo],
    approve,
    fraud,
    busy: false,
    expired: false,
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void answer(card, 'approve');
  });
  input.addEventListener('input', () => {
    if (input.getAttribute('aria-invalid') !== 'true') return;
    input.removeAttribute('aria-invalid');
    say(message, '');
  });
  deny.addEventListener('click', () => void answer(card, 'deny'));
  fraud.addEventListener('click', () => {
    confirm.hidden = false;
    fraudNo.focus();
  });
  fraudNo.addEventListener('click', () => {
    confirm.hidden = true;
    fraud.focus();
  });
  fraudYes.addEventListener('click', () => void answer(card, 'fraud'));
  tick(card);
  return card;
}

function renderRequests(): void {
  const wanted: Array<{ account: StoredAccount; item: PendingItem }> = [];
  for (const account of accounts.values()) for (const item of pending.get(account.deviceId) ?? []) wanted.push({ account, item });
  const keys = new Set(wanted.map(({ account, item }) => `${account.deviceId}:${item.id}`));
  for (const [key, card] of cards) {
    if (!keys.has(key) && !card.busy) {
      card.root.remove();
      cards.delete(key);
    }
  }
  let previous: HTMLElement | null = null;
  for (const { account, item } of wanted) {
    const key = `${account.deviceId}:${item.id}`;
    let card = cards.get(key);
    if (!card) {
      card = createCard(account, item);
      cards.set(key, card);
    }
    const next: ChildNode | null = previous ? previous.nextSibling : requestList.firstChild;
    if (next !== card.root) requestList.insertBefore(card.root, next);
    previous = card.root;
  }
  noRequests.textContent = t.noPending;
  noRequests.hidden = cards.size > 0;
  // Without an account there is nothing to wait for: the page shows how to add one.
  ui.pending.hidden = accounts.size === 0;
}

/** Where the focus goes when what held it disappears: the requests, or the accounts when there are none. */
function focusList(): void {
  if (!ui.pending.hidden) requestsHeading.focus();
  else document.getElementById('accounts-heading')?.focus();
}

/** The countdown, once a second; an expired request can no longer be answered. */
function tick(card: Card): void {
  const left = Date.parse(card.item.expiresAt) - Date.now();
  const expired = left <= 0;
  card.expiry.textContent = expired ? t.expired : fill(t.expiresIn, { time: minutesSeconds(left) });
  card.expiry.dataset.soon = String(left < 20_000);
  if (expired && !card.expired) {
    card.expired = true;
    card.root.dataset.expired = 'true';
    setBusy(card, card.busy);
  }
}

function setBusy(card: Card, busy: boolean): void {
  card.busy = busy;
  card.root.setAttribute('aria-busy', String(busy));
  for (const button of card.buttons) button.disabled = busy || card.expired;
  card.input.disabled = busy || card.expired;
}

function outcomeText(result: RespondAnswer, item: PendingItem): string {
  if (result.outcome === 'approved') return item.context.kind === 'device_test' ? t.approvedTest : t.approved;
  return result.outcome === 'denied' ? t.denied : t.fraudReported;
}

function dropCard(card: Card): void {
  card.root.remove();
  cards.delete(card.key);
  const items = pending.get(card.deviceId);
  if (items)
    pending.set(
      card.deviceId,
      items.filter((i) => i.id !== card.item.id),
    );
  renderRequests();
  // The card held the focus: give it to the list's heading rather than to the page's start.
  focusList();
}

async function answer(card: Card, decision: 'approve' | 'deny' | 'fraud'): Promise<void> {
  const account = accounts.get(card.deviceId);
  if (!account || card.busy || card.expired) return;
  let code: string | null = null;
  if (decision === 'approve') {
    code = withoutSeparators(card.input.value);
    if (!/^\d{6}$/.test(code)) {
      say(card.message, t.codeFormat, 'error');
      card.input.setAttribute('aria-invalid', 'true');
      card.input.focus();
      return;
    }
  }
  say(card.message, '');
  say(ui.status, t.sending);
  setBusy(card, true);
  try {
    const result = await respond(account, card.item, decision, code);
    card.busy = false;
    dropCard(card);
    say(ui.alert, '');
    say(ui.status, outcomeText(result, card.item), result.outcome === 'approved' ? 'success' : 'info');
    await updateState(account, result.deviceState);
  } catch (error) {
    const refusal = failure(error);
    say(ui.status, '');
    setBusy(card, false);
    if (refusal.code === 'invalid_code') {
      const left = refusal.details.attemptsLeft;
      say(card.message, `${t.error_invalid_code}${typeof left === 'number' ? ` ${fill(t.attemptsLeft, { count: left })}` : ''}`, 'error');
      card.confirm.hidden = true;
      card.input.setAttribute('aria-invalid', 'true');
      card.input.focus();
      card.input.select();
    } else if (refusal.code === 'conflict' || refusal.status === 409 || refusal.status === 410) {
      card.busy = false;
      dropCard(card);
      say(ui.alert, describe(refusal), 'error');
    } else {
      say(card.message, describe(refusal), 'error');
      if (refusal.code === 'method_not_available') card.approve.disabled = true;
      card.confirm.hidden = true;
      const state = refusedState(refusal);
      if (state) await updateState(account, state);
    }
  }
  void syncs.get(card.deviceId)?.refresh();
}

// ---------------------------------------------------------------------------------------------
// Accounts

function renderAccounts(): void {
  const heading = h('h2', { id: 'accounts-heading', tabindex: -1 }, t.accountsHeading);
  ui.accounts.setAttribute('aria-labelledby', 'accounts-heading');
  const list = h('ul', { class: 'accounts' });
  for (const account of accounts.values()) list.appendChild(accountItem(account));
  const add = addAccountForm(accounts.size === 0);
  replace(ui.accounts, heading, accounts.size === 0 ? h('p', { class: 'empty' }, t.noAccounts) : list, add);
  renderConnection();
  renderNotify();
}

function accountItem(account: StoredAccount): HTMLElement {
  const problem = syncs.get(account.deviceId)?.problem ?? null;
  const help = account.state === 'suspended' ? t.stateHelp_suspended : account.state === 'revoked' ? t.stateHelp_revoked : null;
  const remove = h('button', { type: 'button', class: 'link' }, t.removeAccount);
  const yes = h('button', { type: 'button', class: 'danger' }, t.removeYes);
  const no = h('button', { type: 'button' }, t.cancel);
  const confirmId = `remove-${idFor(account.deviceId)}`;
  const confirm = h(
    'div',
    { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': confirmId },
    h('p', { id: confirmId }, fill(t.removeConfirm, account.account)),
    h('div', { class: 'actions' }, yes, no),
  );
  remove.addEventListener('click', () => {
    confirm.hidden = false;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    remove.focus();
  });
  yes.addEventListener('click', () => void forget(account));
  return h(
    'li',
    { class: 'account', 'data-device-id': account.deviceId, 'data-state': account.state },
    h('p', { class: 'who' }, h('strong', {}, account.account.email), ' · ', account.account.tenant),
    h('p', { class: 'device' }, account.deviceName),
    h(
      'p',
      { class: 'state' },
      `${t.stateLabel}: `,
      h('span', { class: `badge ${account.state}`, 'data-testid': 'device-state' }, stateText(account.state)),
    ),
    help && h('p', { class: 'help' }, help),
    problem && account.state !== 'suspended' && account.state !== 'revoked' && h('p', { class: 'problem' }, describe(problem)),
    remove,
    confirm,
  );
}

async function forget(account: StoredAccount): Promise<void> {
  syncs.get(account.deviceId)?.stop();
  syncs.delete(account.deviceId);
  accounts.delete(account.deviceId);
  pending.delete(account.deviceId);
  await removeAccount(account.deviceId);
  renderAccounts();
  renderRequests();
  say(ui.status, fill(t.removed, account.account));
  byId('accounts-heading').focus();
}

function addAccountForm(open: boolean): HTMLElement {
  const input = h('input', { id: 'enrollment-link', name: 'link', type: 'url', autocomplete: 'off', spellcheck: 'false', required: true });
  const form = h(
    'form',
    { class: 'add-account', novalidate: true },
    h('label', { for: 'enrollment-link' }, t.linkLabel),
    input,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t.linkSubmit)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseEnrollmentLink(input.value.trim());
    if (!parsed) {
      input.setAttribute('aria-invalid', 'true');
      say(ui.alert, t.linkInvalid, 'error');
      input.focus();
      return;
    }
    openEnrollment(parsed);
  });
  if (open) return form;
  return h('details', { class: 'add' }, h('summary', {}, t.linkLabel), form);
}

// ---------------------------------------------------------------------------------------------
// Enrollment

function openEnrollment(enrollment: Enrollment): void {
  say(ui.alert, '');
  if (new URL(enrollment.serverUrl).origin !== location.origin) {
    say(ui.alert, fill(t.linkOtherServer, { server: enrollment.serverUrl }), 'error');
    return;
  }
  const browser = describeBrowser(navigator.userAgent);
  const name = h('input', {
    id: 'device-name',
    name: 'deviceName',
    type: 'text',
    autocomplete: 'off',
    maxlength: 64,
    required: true,
    value: fill(t.deviceDefault, browser),
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.enrollSubmit);
  const cancel = h('button', { type: 'button' }, t.cancel);
  const form = h(
    'form',
    { novalidate: true },
    h('label', { for: 'device-name' }, t.deviceNameLabel),
    name,
    h('div', { class: 'actions' }, submit, cancel),
  );
  const heading = h('h2', { id: 'enroll-heading', tabindex: -1 }, t.enrollHeading);
  ui.enroll.setAttribute('aria-labelledby', 'enroll-heading');
  replace(ui.enroll, heading, h('p', {}, fill(t.enrollIntro, { server: new URL(enrollment.serverUrl).host })), form);
  ui.enroll.hidden = false;
  heading.focus();
  cancel.addEventListener('click', closeEnrollment);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const deviceName = name.value.trim();
    if (!deviceName) {
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    submit.disabled = true;
    cancel.disabled = true;
    say(ui.alert, '');
    say(ui.status, t.enrolling);
    void enroll(enrollment, deviceName).finally(() => {
      submit.disabled = false;
      cancel.disabled = false;
    });
  });
}

function closeEnrollment(): void {
  ui.enroll.hidden = true;
  replace(ui.enroll);
  focusList();
}

async function enroll(enrollment: Enrollment, deviceName: string): Promise<void> {
  try {
    const pushSubscription = await currentSubscription(false);
    const account = await completeEnrollment(enrollment, {
      deviceName,
      platform: `web (${describeBrowser(navigator.userAgent).os})`,
      ...(pushSubscription ? { pushSubscription } : {}),
    });
    await saveAccount(account);
    accounts.set(account.deviceId, account);
    renderAccounts();
    renderRequests();
    closeEnrollment();
    say(ui.status, fill(t.enrolled, account.account), 'success');
    startSync(account);
  } catch (error) {
    const refusal = failure(error);
    say(ui.status, '');
    const used = ['not_found', 'conflict', 'link_expired', 'challenge_expired', 'invalid_token', 'unauthorized'].includes(refusal.code);
    say(ui.alert, fill(t.enrollFailed, { reason: used ? t.enrollUsed : describe(refusal) }), 'error');
  }
}

function startSync(account: StoredAccount): void {
  if (syncs.has(account.deviceId)) return;
  const sync = new AccountSync(account.deviceId);
  syncs.set(account.deviceId, sync);
  sync.start();
  renderConnection();
}

// ---------------------------------------------------------------------------------------------
// Web Push: only when the person asks for it (a button), never on load.

function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register('service-worker.js', { scope: './' });
  return navigator.serviceWorker.ready;
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const bytes = new Uint8Array(a);
  return bytes.every((byte, i) => byte === b[i]);
}

/** The browser's push subscription for this server's key; `create` subscribes (after permission). */
async function currentSubscription(create: boolean): Promise<PushSubscriptionJson | null> {
  if (!vapidKey || !pushSupported() || Notification.permission !== 'granted') return null;
  const key = fromBase64Url(vapidKey);
  const reg = await registration();
  let subscription = await reg.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription && create) subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  if (!subscription) return null;
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return null;
  return { endpoint: json.endpoint, expirationTime: json.expirationTime ?? null, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}

let notifyOn = false;

function renderNotify(): void {
  if (!vapidKey || !pushSupported() || accounts.size === 0) {
    ui.notify.hidden = true;
    return;
  }
  ui.notify.hidden = false;
  if (Notification.permission === 'denied') {
    replace(ui.notify, h('p', { class: 'help' }, t.notifyDenied));
    return;
  }
  if (notifyOn) {
    replace(ui.notify, h('p', { class: 'help' }, t.notifyOn));
    return;
  }
  const button = h('button', { type: 'button', id: 'notify-button', 'aria-describedby': 'notify-help' }, t.notifyButton);
  button.addEventListener('click', () => void enableNotifications(button));
  replace(ui.notify, h('p', { class: 'help', id: 'notify-help' }, t.notifyHelp), button);
}

async function enableNotifications(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      renderNotify();
      if (permission === 'default') say(ui.alert, t.notifyDenied, 'error');
      return;
    }
    const subscription = await currentSubscription(true);
    if (!subscription) throw new Error('no subscription');
    for (const account of accounts.values()) if (account.state !== 'revoked') await sendSubscription(account, subscription);
    notifyOn = true;
    renderNotify();
    say(ui.status, t.notifyOn, 'success');
  } catch (error) {
    button.disabled = false;
    const refusal = failure(error);
    say(ui.alert, fill(t.notifyFailed, { reason: refusal.status ? describe(refusal) : refusal.message }), 'error');
  }
}

// ---------------------------------------------------------------------------------------------
// Start

/** An enrollment link opened this page: read the fragment, then remove it from the address bar and history. */
function takeEnrollmentFromUrl(): Enrollment | 'invalid' | null {
  if (!location.hash.startsWith('#e=')) return null;
  const parsed = parseEnrollmentLink(location.href);
  history.replaceState(null, '', location.pathname + location.search);
  return parsed ?? 'invalid';
}

function handleLink(): void {
  const link = takeEnrollmentFromUrl();
  if (link === 'invalid') say(ui.alert, t.linkInvalid, 'error');
  else if (link) openEnrollment(link);
}

async function start(): Promise<void> {
  document.documentElement.lang = language;
  document.title = t.appName;
  byId('app-name').textContent = t.appName;
  buildPendingSection();
  if (!window.isSecureContext || !globalThis.crypto?.subtle || !('indexedDB' in window)) {
    noRequests.textContent = '';
    say(ui.alert, t.noWebCrypto, 'error');
    return;
  }
  handleLink();
  window.addEventListener('hashchange', handleLink);
  try {
    for (const account of await listAccounts()) accounts.set(account.deviceId, account);
  } catch (error) {
    say(ui.alert, failure(error).message, 'error');
  }
  renderAccounts();
  renderRequests();
  for (const account of accounts.values()) startSync(account);

  window.addEventListener('focus', refreshAll);
  window.addEventListener('online', refreshAll);
  window.addEventListener('pageshow', refreshAll);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshAll();
  });
  setInterval(() => {
    for (const card of cards.values()) tick(card);
  }, 1_000);

  if ('serviceWorker' in navigator) {
    // The worker shows a push as a notification and opens the app; when the app is open it also tells it.
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (event.data && typeof event.data === 'object' && (event.data as { type?: unknown }).type === 'pending') refreshAll();
    });
    navigator.serviceWorker.register('service-worker.js', { scope: './' }).catch(() => undefined);
  }
  try {
    vapidKey = await fetchVapidKey(ownServerUrl);
    notifyOn = (await currentSubscription(false)) !== null;
  } catch {
    vapidKey = null;
  }
  renderNotify();
}

void start();
