import type { AuditEventView } from '../../shared/api/admin';
import type { MessageKey } from './catalogs';
import type { Translate } from './I18nProvider';
import { en } from './en';

function isKey(key: string): key is MessageKey {
  return key in en;
}

/** The ticket and reason an operator gave, when the event is a support action. */
export function ticketOf(event: Pick<AuditEventView, 'details'>): { ticket: string; reason: string } | null {
  const { ticket, reason } = event.details;
  return typeof ticket === 'string' ? { ticket, reason: typeof reason === 'string' ? reason : '' } : null;
}

/**
 * An audit event as a sentence support can read to a caller: "Signed in with an SMS code", not
 * `login.succeeded {secondFactor: sms}`. An action this console does not know yet keeps its code.
 */
export function describeEvent(event: Pick<AuditEventView, 'action' | 'details'>, t: Translate): string {
  const factor = event.details.secondFactor;
  if (event.action === 'login.succeeded' && typeof factor === 'string') {
    const specific = `event.login.succeeded.${factor}`;
    if (isKey(specific)) return t(specific);
  }
  // Push events name their device, and a push's sign-in where it came from: the longer sentence
  // (`eventDetail.<action>`) when the event carries every value it needs.
  const detailed = `eventDetail.${event.action}`;
  if (isKey(detailed)) {
    const values: Record<string, string> = {};
    for (const [name, field] of [
      ['device', 'deviceName'],
      ['ip', 'ip'],
      ['browser', 'browser'],
      ['client', 'client'],
    ] as const) {
      const value = event.details[field];
      if (typeof value === 'string' && value) values[name] = value;
    }
    if ([...en[detailed].matchAll(/\{(\w+)\}/g)].every((m) => m[1]! in values)) return t(detailed, values);
  }
  const key = `event.${event.action}`;
  if (isKey(key)) return t(key, { scope: typeof event.details.scope === 'string' ? event.details.scope : '' });
  return t('event.unknown', { action: event.action });
}

/** Who did it: the operator's email for support actions, else the user or the system. */
export function actorOf(
  event: Pick<AuditEventView, 'actorType' | 'actorId' | 'details'>,
  t: Translate,
  operatorNames: ReadonlyMap<string, string>,
): string {
  if (event.actorType === 'operator') {
    const named = event.actorId ? operatorNames.get(event.actorId) : undefined;
    const email = typeof event.details.operator === 'string' ? event.details.operator : undefined;
    return named ?? email ?? event.actorId ?? '';
  }
  if (event.actorType === 'user') return t('audit.byUser');
  return t('audit.bySystem');
}

/** Every action the audit filter offers, in the catalog's order. */
export const knownActions: string[] = Object.keys(en)
  .filter((key) => key.startsWith('event.') && key !== 'event.unknown' && !key.startsWith('event.login.succeeded.'))
  .map((key) => key.slice('event.'.length));
