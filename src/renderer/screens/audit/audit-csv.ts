import type { AuditEventView } from '../../../shared/api/admin';

/** One CSV field: quoted when it holds a quote, comma or line break; formulas defused for spreadsheets. */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // A cell starting with = + - @ is a formula in Excel and LibreOffice: a reason typed by anyone must not run.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = [
  'at',
  'action',
  'description',
  'actor_type',
  'actor',
  'tenant_id',
  'user_id',
  'ip',
  'ticket',
  'reason',
  'details',
];

/** One event as a CSV line (CRLF, as RFC 4180 has it). */
export function csvLine(event: AuditEventView, description: string, actor: string): string {
  const { ticket, reason, ...rest } = event.details;
  return (
    [
      event.at,
      event.action,
      description,
      event.actorType,
      actor,
      event.tenantId,
      event.userId,
      event.ip,
      ticket,
      reason,
      Object.keys(rest).length ? rest : '',
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}
