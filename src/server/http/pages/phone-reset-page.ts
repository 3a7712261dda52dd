import type { FastifyInstance } from 'fastify';

/**
 * The page the emailed reset link opens: enter the new number, then the code it receives. Plain HTML
 * and a small script calling /v1/phone-reset/...; no third-party assets. The token is in the path,
 * so the page sends no Referer anywhere and is never cached.
 */
const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Phone number</title>
<style>
  :root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
  main { max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }
  label { display: block; margin: 1rem 0 .3rem; }
  input, button { font: inherit; padding: .5rem .7rem; width: 100%; box-sizing: border-box; }
  button { margin-top: 1rem; cursor: pointer; }
  [hidden] { display: none; }
  .error { color: #b3261e; }
</style>
<main>
  <h1 id="title"></h1>
  <p id="intro"></p>
  <form id="phone-form" hidden>
    <label for="phone" id="phone-label"></label>
    <input id="phone" name="phone" type="tel" autocomplete="tel" required>
    <button id="send"></button>
  </form>
  <form id="code-form" hidden>
    <label for="code" id="code-label"></label>
    <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" spellcheck="false" maxlength="16" required>
    <button id="confirm"></button>
  </form>
  <p id="message" role="status"></p>
</main>
<script src="/assets/phone-reset.js"></script>
</html>`;

const script = `'use strict';
(() => {
  const texts = {
    en: { title: 'Set a new phone number', intro: 'For {email} at {tenant}. Current number: {phone}. This link expires {expires}.', phone: 'New mobile number (with country code)', send: 'Send code', code: 'Code from the SMS sent to {to}', confirm: 'Confirm', done: 'Done: your phone number is now {to}. You can close this page.' },
    nb: { title: 'Registrer nytt telefonnummer', intro: 'For {email} hos {tenant}. Nåværende nummer: {phone}. Lenken utløper {expires}.', phone: 'Nytt mobilnummer (med landskode)', send: 'Send kode', code: 'Kode fra SMS-en sendt til {to}', confirm: 'Bekreft', done: 'Ferdig: telefonnummeret ditt er nå {to}. Du kan lukke siden.' },
    de: { title: 'Neue Handynummer festlegen', intro: 'Für {email} bei {tenant}. Aktuelle Nummer: {phone}. Dieser Link läuft am {expires} ab.', phone: 'Neue Handynummer (mit Ländervorwahl)', send: 'Code senden', code: 'Code aus der SMS an {to}', confirm: 'Bestätigen', done: 'Fertig: Ihre Handynummer ist jetzt {to}. Sie können diese Seite schließen.' },
  };
  const lang = (navigator.language || 'en').slice(0, 2);
  const t = texts[lang === 'no' || lang === 'nn' ? 'nb' : lang] || texts.en;
  const fill = (s, v) => s.replace(/\\{(\\w+)\\}/g, (_, k) => (v[k] == null ? '-' : String(v[k])));
  const $ = (id) => document.getElementById(id);
  const token = location.pathname.split('/').pop();
  const api = '/v1/phone-reset/' + encodeURIComponent(token);
  const call = async (path, body) => {
    const res = await fetch(path, { method: body ? 'POST' : 'GET', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message || res.statusText);
    return data;
  };
  const fail = (e) => { $('message').textContent = e.message; $('message').className = 'error'; };
  const ok = (s) => { $('message').textContent = s; $('message').className = ''; };
  $('title').textContent = t.title;
  $('phone-label').textContent = t.phone;
  $('send').textContent = t.send;
  $('confirm').textContent = t.confirm;
  call(api).then((info) => {
    $('intro').textContent = fill(t.intro, { email: info.email, tenant: info.tenant, phone: info.currentPhone, expires: new Date(info.expiresAt).toLocaleString() });
    $('phone-form').hidden = false;
  }, fail);
  $('phone-form').addEventListener('submit', (event) => {
    event.preventDefault();
    call(api, { phone: $('phone').value }).then((sent) => {
      $('code-label').textContent = fill(t.code, { to: sent.sentTo });
      $('code-form').hidden = false;
      ok('');
      $('code').focus();
    }, fail);
  });
  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    call(api + '/confirm', { code: $('code').value }).then((done) => {
      $('phone-form').hidden = true;
      $('code-form').hidden = true;
      ok(fill(t.done, { to: done.phoneHint }));
    }, fail);
  });
})();
`;

const headers = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function registerPhoneResetPage(app: FastifyInstance): void {
  app.get('/phone-reset/:token', async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(page));
  app.get('/assets/phone-reset.js', async (_request, reply) => reply.headers(headers).type('text/javascript; charset=utf-8').send(script));
}
