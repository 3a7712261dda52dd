import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { matchPageLanguage, type PageLanguage } from '../../shared/languages.js';

/**
 * The few pages oidc-provider renders itself (sign out, signed out, an error it cannot send back to
 * the portal), in this server's look and the browser's language, with no script and no inline
 * style (its defaults have both, and a font from Google): they link the hosted pages' stylesheet.
 */

type Language = PageLanguage;

const texts = {
  en: {
    signOutTitle: 'Sign out',
    signOutQuestion: (client: string) => `Sign out of ${client} and this sign-in service?`,
    signOut: 'Sign out',
    stay: 'Stay signed in',
    signedOutTitle: 'Signed out',
    signedOut: 'You are signed out. You can close this window.',
    errorTitle: 'Sign-in could not continue',
    errorIntro: 'Go back to the site you came from and start again. If it happens again, tell its support this:',
  },
  nb: {
    signOutTitle: 'Logg ut',
    signOutQuestion: (client: string) => `Logge ut av ${client} og denne innloggingstjenesten?`,
    signOut: 'Logg ut',
    stay: 'Forbli innlogget',
    signedOutTitle: 'Logget ut',
    signedOut: 'Du er logget ut. Du kan lukke dette vinduet.',
    errorTitle: 'Innloggingen kunne ikke fortsette',
    errorIntro: 'Gå tilbake til nettstedet du kom fra og begynn på nytt. Skjer det igjen, gi kundestøtten deres dette:',
  },
  de: {
    signOutTitle: 'Abmelden',
    signOutQuestion: (client: string) => `Von ${client} und diesem Anmeldedienst abmelden?`,
    signOut: 'Abmelden',
    stay: 'Angemeldet bleiben',
    signedOutTitle: 'Abgemeldet',
    signedOut: 'Sie sind abgemeldet. Sie können dieses Fenster schließen.',
    errorTitle: 'Die Anmeldung konnte nicht fortgesetzt werden',
    errorIntro:
      'Gehen Sie zurück zur Website, von der Sie kamen, und beginnen Sie neu. Passiert es wieder, nennen Sie dem Support Folgendes:',
  },
} satisfies Record<Language, Record<string, string | ((client: string) => string)>>;

/** The first of the browser's languages the pages speak ("nb-NO,nb;q=0.9,en;q=0.8"). */
export function acceptedLanguage(header: string | undefined): Language {
  return matchPageLanguage((header ?? '').split(',').map((part) => part.split(';')[0]!)) ?? 'en';
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(ctx: KoaContextWithOIDC, language: Language, title: string, body: string): string {
  const base = new URL(ctx.oidc.provider.issuer).pathname.replace(/\/oidc$/, '');
  return `<!doctype html>
<html lang="${language}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>${escape(title)}</title>
    <link rel="stylesheet" href="${escape(base)}/sign-in/styles.css" />
  </head>
  <body>
    <main>
      <div class="panel">
        <h1 id="title">${escape(title)}</h1>
        ${body}
      </div>
    </main>
  </body>
</html>`;
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const language = acceptedLanguage(ctx.get('accept-language'));
  const t = texts[language];
  const client = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? ctx.host;
  // `form` is oidc-provider's own, with its hidden xsrf field; the buttons submit it.
  ctx.type = 'html';
  ctx.body = page(
    ctx,
    language,
    t.signOutTitle,
    `<p>${escape(t.signOutQuestion(client))}</p>
        ${form}
        <div class="actions">
          <button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout" id="sign-out" autofocus>${escape(t.signOut)}</button>
          <button type="submit" form="op.logoutForm" id="stay">${escape(t.stay)}</button>
        </div>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  const language = acceptedLanguage(ctx.get('accept-language'));
  const t = texts[language];
  ctx.type = 'html';
  ctx.body = page(ctx, language, t.signedOutTitle, `<p id="signed-out">${escape(t.signedOut)}</p>`);
}

export async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
  const language = acceptedLanguage(ctx.get('accept-language'));
  const t = texts[language];
  const details = (['error', 'error_description'] as const)
    .filter((key) => typeof out[key] === 'string')
    .map((key) => `<dt>${key}</dt><dd>${escape(String(out[key]))}</dd>`)
    .join('');
  ctx.type = 'html';
  ctx.body = page(ctx, language, t.errorTitle, `<p role="alert">${escape(t.errorIntro)}</p><dl id="oidc-error">${details}</dl>`);
}
