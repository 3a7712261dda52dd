import { z } from 'zod';
import { enrolledMethods } from '../methods.js';

/**
 * The safe-to-show views of records that carry secrets, shared by the account API (/v1/me) and the
 * admin API (the user detail): one shape, built by one function in the server (src/server/views/).
 */

/** An enrolled second factor: never its secret; a phone only masked. */
export const factorView = z.object({
  type: z.enum(enrolledMethods),
  /** When it became the user's factor. */
  since: z.string(),
  /** SMS only: the number, masked ("+47 •••••567"). */
  phoneHint: z.string().optional(),
});
export type FactorView = z.infer<typeof factorView>;

/** A remembered device: its label, never its token. */
export const trustedDeviceView = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string(),
});
export type TrustedDeviceView = z.infer<typeof trustedDeviceView>;
