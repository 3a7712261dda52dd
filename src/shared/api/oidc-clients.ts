import { z } from 'zod';

/**
 * A tenant's portals: the OpenID Connect clients that send their users to MFA Desk to sign in
 * (src/server/oidc/). Registered by a tenant admin (admin API, the console's later screen) or by
 * the CLI (`mfa-desk oidc-client add`).
 */

/** An absolute http(s) URL without a fragment; plain http only for this machine (a portal in development). */
export const redirectUri = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.hash) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, 'an absolute https URL without a fragment (http only for localhost or 127.0.0.1)');

export const oidcClientRegistration = z.strictObject({
  name: z.string().trim().min(1).max(120),
  redirectUris: z.array(redirectUri).min(1).max(20),
  postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
  /** A public client (a single-page or native app) has no secret and relies on PKCE alone. @default false */
  public: z.boolean().default(false),
});
export type OidcClientRegistration = z.input<typeof oidcClientRegistration>;

export const oidcClientView = z.object({
  clientId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  public: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type OidcClientView = z.infer<typeof oidcClientView>;

/** The secret is shown this once; only its sealed form is kept. */
export const oidcClientCreated = oidcClientView.extend({ clientSecret: z.string().nullable() });

export const oidcClientsAnswer = z.object({ clients: z.array(oidcClientView) });
export const tenantIdParams = z.object({ tenantId: z.string().min(1).max(64) });
export const oidcClientParams = tenantIdParams.extend({ clientId: z.string().min(1).max(64) });
