/**
 * Seed 003: a shared account is one mailbox (like accounts@company) used by several people, which
 * breaks MFA when the one phone holder is away. Role mailboxes are the usual giveaway; the console's
 * "shared" filter finds them so a tenant admin can split them into personal accounts.
 */
const roleWords = [
  'accounts',
  'account',
  'accounting',
  'ap',
  'ar',
  'billing',
  'finance',
  'invoice',
  'invoices',
  'payables',
  'receivables',
  'admin',
  'office',
  'info',
  'contact',
  'mail',
  'post',
  'team',
  'sales',
  'support',
  'purchasing',
  'orders',
  // Norwegian
  'faktura',
  'fakturamottak',
  'regnskap',
  'okonomi',
  'økonomi',
  'postmottak',
  'kontor',
  'salg',
  'innkjop',
  'innkjøp',
  'lonn',
  'lønn',
  // German
  'buchhaltung',
  'rechnung',
  'rechnungen',
  'verwaltung',
  'einkauf',
  'kontakt',
  'zentrale',
  'verkauf',
  'finanzen',
];
const roleSet = new Set(roleWords);

export function looksLikeSharedMailbox(email: string): boolean {
  return sharedMailboxWord(email) !== null;
}

/** The role word that makes the mailbox look shared ("faktura" in faktura.oslo@), or null. */
export function sharedMailboxWord(email: string): string | null {
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (roleSet.has(local)) return local;
  return local.split(/[._+-]/).find((part) => roleSet.has(part) && part.length > 2) ?? null;
}
