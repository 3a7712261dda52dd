import { ticketAndReasonLimits as limits } from '../../shared/api/admin';
import type { MessageKey } from '../i18n/catalogs';

/**
 * What is wrong with a ticket and a reason as typed, by the server's own limits: the one check every
 * form that asks for them (the action dialog, the break-up's confirmation) shows beside its fields.
 */
export function ticketAndReasonProblems(ticket: string, reason: string): { ticket: MessageKey | null; reason: MessageKey | null } {
  const t = ticket.trim();
  const r = reason.trim();
  return {
    ticket: !t ? 'action.ticketRequired' : t.length > limits.ticketMax ? 'action.ticketTooLong' : null,
    reason: r.length < limits.reasonMin ? 'action.reasonRequired' : r.length > limits.reasonMax ? 'action.reasonTooLong' : null,
  };
}
