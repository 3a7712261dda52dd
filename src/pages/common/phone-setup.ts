import type { z } from 'zod';
import type { phoneConfirmAnswer, smsSentAnswer } from '../../shared/api/end-user.js';
import { sixDigits } from './codes.js';
import { clearWhenEdited, field, h, markInvalid, say } from './dom.js';
import { fill } from './i18n.js';
import { chooseOtherButton, describeForStep, leadParagraph, type SetupFlow } from './factor-setup.js';

type SmsSent = z.infer<typeof smsSentAnswer>;
type PhoneConfirmed = z.infer<typeof phoneConfirmAnswer>;

/**
 * The phone: the number (the administrator's, when there is one, to change if it is not the
 * person's own), a code sent to it (POST /v1/enroll/phone, which answers how many setup codes can
 * still be sent today), then that code (POST /v1/enroll/phone/confirm); the recovery codes come with
 * the confirmation.
 *
 * Findable by tests: the number `#phone`, its button `#send-code`, what was sent `#sms-sent`, the code `#sms-code`.
 */
export function showPhoneSetup(flow: SetupFlow, chooseOther?: (flow: SetupFlow) => void): void {
  const { t, regions } = flow;
  const resume = (fresh: SetupFlow) => showPhoneSetup(fresh, chooseOther);
  const proposed = flow.proposedPhone;
  const phone = field(
    'phone',
    t.phoneLabel,
    { type: 'tel', autocomplete: 'tel', inputmode: 'tel', required: true, value: proposed ?? '' },
    proposed ? [t.phoneProposed, t.phoneHint] : [t.phoneHint],
  );
  const send = h('button', { type: 'submit', class: 'primary', id: 'send-code' }, t.sendCode);
  const phoneForm = h('form', { id: 'phone-form', novalidate: true }, phone.wrap, h('div', { class: 'actions' }, send));
  const sentInfo = h('p', { class: 'hint', id: 'sms-sent' });
  const code = field('sms-code', t.smsCodeLabel, {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    spellcheck: 'false',
    maxlength: 16,
    required: true,
    'aria-describedby': 'sms-sent',
  });
  const confirm = h('button', { type: 'submit', class: 'primary' }, t.confirm);
  const codeForm = h('form', { id: 'sms-code-form', novalidate: true, hidden: true }, code.wrap, h('div', { class: 'actions' }, confirm));
  const isCurrent = flow.newStep(
    t.smsHeading,
    leadParagraph(flow),
    h('p', {}, t.smsIntro),
    phoneForm,
    sentInfo,
    codeForm,
    chooseOtherButton(flow, chooseOther),
    flow.footer(),
  );

  clearWhenEdited(regions.alert, phone.input, code.input);
  phoneForm.addEventListener('submit', (event) => {
    event.preventDefault();
    phone.input.removeAttribute('aria-invalid');
    const number = phone.input.value.trim();
    if (!number) return markInvalid(regions.alert, phone.input, t.errorPhoneEmpty);
    send.disabled = true;
    say(regions.alert, '');
    say(regions.status, t.sendingCode);
    void flow.enroll<SmsSent>('/v1/enroll/phone', { phone: number }).then(
      (sent) => {
        if (!isCurrent()) return;
        send.disabled = false;
        send.textContent = t.sendNewCode;
        send.classList.remove('primary');
        say(regions.status, '');
        sentInfo.textContent = fill(t.smsSent, { to: sent.sentTo, left: sent.remainingToday });
        codeForm.hidden = false;
        code.input.value = '';
        code.input.focus();
      },
      (error: unknown) => {
        if (!isCurrent()) return;
        send.disabled = false;
        say(regions.status, '');
        const { refusal, message } = describeForStep(flow, error, 'sms');
        if (flow.sessionOver(refusal, resume)) return;
        if (refusal.code === 'invalid_phone' || refusal.code === 'sms_country_not_allowed')
          markInvalid(regions.alert, phone.input, message);
        else say(regions.alert, message, 'error');
      },
    );
  });
  codeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = sixDigits(code.input.value);
    if (typed === null) return markInvalid(regions.alert, code.input, t.errorCodeShape);
    confirm.disabled = true;
    say(regions.alert, '');
    say(regions.status, t.checkingCode);
    void flow.enroll<PhoneConfirmed>('/v1/enroll/phone/confirm', { code: typed }).then(
      (answer) => flow.onConfirmed({ method: 'sms', phoneHint: answer.phoneHint }, answer.recoveryCodes),
      (error: unknown) => {
        if (!isCurrent()) return;
        confirm.disabled = false;
        say(regions.status, '');
        const { refusal, message } = describeForStep(flow, error, 'sms');
        if (flow.sessionOver(refusal, resume)) return;
        markInvalid(regions.alert, code.input, message);
        code.input.select();
      },
    );
  });
}
