import { randomInt } from 'node:crypto';

/** Six digits, uniformly random (NIST SP 800-63B 5.1.3: at least 6 digits from an approved RBG). */
export function newSmsCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** What is MACed and stored: bound to the code's row so equal codes for different rows differ. */
export function smsCodeMacInput(codeId: string, code: string): string {
  return `sms:${codeId}:${code.trim()}`;
}
