/**
 * The scopes a portal is granted with a sign-in: the OpenID ones this provider has claims for.
 * offline_access is granted too (no refresh token is issued: issueRefreshToken is off), so a portal
 * asking for it is not sent back to a consent prompt the pages do not have.
 */
export function grantableScopes(scope: unknown): string {
  const asked = typeof scope === 'string' ? scope.split(' ') : ['openid'];
  return asked.filter((s) => ['openid', 'email', 'profile', 'offline_access'].includes(s)).join(' ');
}
