import type { FirstFactorMethod } from '../../shared/methods.js';
import { h } from './dom.js';
import type { SetupFlow } from './factor-setup.js';
import { showPhoneSetup } from './phone-setup.js';
import { showTotpSetup } from './totp-setup.js';

/**
 * The way into a first second factor: a choice when the tenant offers both the app and the phone
 * (in its order, its first choice marked), else straight to the one it offers. False when it offers
 * none (the page says so).
 */
export function showSecondFactorSetup(flow: SetupFlow): boolean {
  const methods = flow.methods;
  if (methods.length > 1) showMethodChoice(flow);
  else if (methods[0] === 'sms') showPhoneSetup(flow, showMethodChoice);
  else if (methods[0] === 'totp') void showTotpSetup(flow, showMethodChoice);
  else return false;
  return true;
}

export function showMethodChoice(flow: SetupFlow): void {
  const { t } = flow;
  const show = (method: FirstFactorMethod) =>
    method === 'totp' ? void showTotpSetup(flow, showMethodChoice) : showPhoneSetup(flow, showMethodChoice);
  const options = flow.methods.map((method, index) => {
    const name = method === 'totp' ? t.chooseTotp : t.chooseSms;
    const help = method === 'totp' ? t.chooseTotpHelp : t.chooseSmsHelp;
    const button = h(
      'button',
      {
        type: 'button',
        class: index === 0 ? 'choice first' : 'choice',
        'data-method': method,
        'aria-labelledby': `choice-${method}-name`,
        'aria-describedby': `choice-${method}-help`,
      },
      h('span', { class: 'choice-name', id: `choice-${method}-name` }, name),
      h('span', { class: 'choice-help', id: `choice-${method}-help` }, help),
    );
    button.addEventListener('click', () => show(method));
    return h('li', {}, button);
  });
  flow.newStep(t.chooseHeading, h('p', {}, t.chooseIntro), h('ul', { class: 'choices' }, ...options), flow.footer());
}
