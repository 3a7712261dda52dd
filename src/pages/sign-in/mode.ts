/**
 * Which sign-in this page is, from its address. The same bundle is served at `<server>/sign-in`
 * (the standalone hosted sign-in: organisation, email, password, then "signed in as"), at
 * `<server>/interaction/<uid>` (the OpenID Provider's interaction: a portal sent the browser here
 * and gets it back once signed in) and at `<server>/account/` (the account page: the same sign-in,
 * then the person's own account, src/pages/account/). The server may sit under a base path, so only
 * the end of the path is read; the API base is whatever comes before it. Pure:
 * test/pages/sign-in-mode.test.ts.
 */
export type PageMode =
  { kind: 'sign-in'; apiBase: string } | { kind: 'interaction'; apiBase: string; uid: string } | { kind: 'account'; apiBase: string };

/** The interaction's id, as the provider makes them (src/shared/api/interaction.ts `interactionParams`). */
const interactionPath = /^(.*)\/interaction\/([A-Za-z0-9_-]{10,64})\/?$/;
/** The account page is a folder (`/account/`; the server sends `/account` there). */
const accountPath = /^(.*)\/account\/$/;

export function pageMode(pathname: string): PageMode {
  const interaction = interactionPath.exec(pathname);
  if (interaction) return { kind: 'interaction', apiBase: interaction[1] ?? '', uid: interaction[2] ?? '' };
  const account = accountPath.exec(pathname);
  if (account) return { kind: 'account', apiBase: account[1] ?? '' };
  return { kind: 'sign-in', apiBase: pathname.replace(/\/sign-in\/?$/, '') };
}
