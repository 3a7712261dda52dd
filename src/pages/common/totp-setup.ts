import type { z } from 'zod';
import type { recoveryCodesAnswer } from '../../shared/api/end-user.js';
import { sixDigits, groupsOfFour, svgDataUrl } from './codes.js';
import { clearWhenEdited, field, h, markInvalid, replace, say } from './dom.js';
import { asFailure } from './http.js';
import { chooseOtherButton, describeForStep, leadParagraph, retryButton, type SetupFlow, type TotpStarted } from './factor-setup.js';

type RecoveryCodes = z.infer<typeof recoveryCodesAnswer>;

/**
 * The authenticator app, as seed 000 numbers it: install an app, scan the QR code (drawn by the
 * server, shown as a data: image) or type the key in groups of four, then type the code the app
 * shows (POST /v1/enroll/totp/confirm); the recovery codes come with the confirmation. The key is
 * asked for once (POST /v1/enroll/totp) and kept in `flow.memo`: coming back here shows the same one.
 *
 * Findable by tests: the QR code `data-testid="totp-qr"` (img.qr), the key `data-testid="totp-secret"`
 * inside `#manual-key`, the code `#totp-code`.
 */
export async function showTotpSetup(flow: SetupFlow, chooseOther?: (flow: SetupFlow) => void): Promise<void> {
  const { t, regions } = flow;
  const again = () => void showTotpSetup(flow, chooseOther);
  const resume = (fresh: SetupFlow) => void showTotpSetup(fresh, chooseOther);
  const isCurrent = flow.newStep(t.totpHeading);
  // A new key after signing in again: an entry the app may hold from before no longer works.
  const newKey = flow.resumed && !flow.memo.started;
  if (!flow.memo.started) {
    say(regions.status, t.preparingApp);
    try {
      // An empty body, so the call is JSON like every other POST (the route takes none).
      flow.memo.started = await flow.enroll<TotpStarted>('/v1/enroll/totp', {});
    } catch (error) {
      if (!isCurrent()) return;
      const refusal = asFailure(error);
      if (flow.sessionOver(refusal, resume)) return;
      say(regions.status, '');
      replace(
        flow.view,
        leadParagraph(flow),
        h('div', { class: 'actions' }, retryButton(flow, again)),
        chooseOtherButton(flow, chooseOther),
        flow.footer(),
      );
      say(regions.alert, describeForStep(flow, refusal).message, 'error');
      return;
    }
    if (!isCurrent()) return;
    say(regions.status, '');
  }
  const started = flow.memo.started;

  const code = field(
    'totp-code',
    t.totpCodeLabel,
    { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', spellcheck: 'false', maxlength: 16, required: true },
    [t.totpCodeHint],
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, t.confirm);
  const form = h('form', { id: 'totp-form', novalidate: true }, code.wrap, h('div', { class: 'actions' }, submit));
  replace(
    flow.view,
    leadParagraph(flow),
    h(
      'ol',
      { class: 'steps' },
      h('li', {}, h('p', {}, t.totpInstall)),
      h(
        'li',
        {},
        h('p', {}, t.totpScan),
        newKey ? h('p', { class: 'hint', 'data-testid': 'new-key-note' }, t.totpNewKey) : null,
        h('img', { class: 'qr', src: svgDataUrl(started.qrSvg), alt: t.qrAlt, width: 220, height: 220, 'data-testid': 'totp-qr' }),
        h('p', { id: 'manual-key-label' }, t.manualKeyLabel),
        h(
          'p',
          { class: 'manual-key', id: 'manual-key', 'data-testid': 'manual-key', 'aria-describedby': 'manual-key-label' },
          h('code', { 'data-testid': 'totp-secret' }, groupsOfFour(started.secret)),
        ),
        h('p', { class: 'hint' }, t.manualKeyHint),
        h('p', { class: 'open-in-app' }, h('a', { href: started.otpauthUri }, t.openInApp)),
      ),
      h('li', {}, form),
    ),
    chooseOtherButton(flow, chooseOther),
    flow.footer(),
  );

  clearWhenEdited(regions.alert, code.input);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = sixDigits(code.input.value);
    if (typed === null) return markInvalid(regions.alert, code.input, t.errorCodeShape);
    submit.disabled = true;
    say(regions.alert, '');
    say(regions.status, t.checkingCode);
    void flow.enroll<RecoveryCodes>('/v1/enroll/totp/confirm', { code: typed }).then(
      (answer) => {
        flow.memo.started = undefined;
        flow.onConfirmed({ method: 'totp' }, answer.recoveryCodes);
      },
      (error: unknown) => {
        if (!isCurrent()) return;
        submit.disabled = false;
        say(regions.status, '');
        const { refusal, message } = describeForStep(flow, error, 'totp');
        // The app keeps the key it was given: the same QR code, the same key, after signing in again.
        if (flow.sessionOver(refusal, resume)) return;
        markInvalid(regions.alert, code.input, message);
        code.input.select();
      },
    );
  });
}
