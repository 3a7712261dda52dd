import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The end-user pages of src/pages/: the authenticator PWA at /authenticator/, the minimal hosted
 * sign-in at /sign-in (and as the OpenID Provider's interaction page), the account page at /account/
 * (the sign-in's bundle in its third mode, then the person's account), the invitation page a new
 * personal account starts from at /invitation/, and the page support's phone reset link opens at
 * /phone-reset/{token} (the format of links already emailed). Their TypeScript is bundled with
 * esbuild once, on the first request for any of them, and kept in memory with the HTML, styles,
 * manifest and icon (a server that nobody asks for the pages never pays for the build).
 *
 * Every answer forbids inline script and style and every origin but this one (the pages load their
 * script and stylesheet from here, nothing from a third party), sends no Referer (an enrollment
 * link's secret rides in the fragment, which browsers never send, but a path or query might), and
 * is never sniffed; HTML is never cached, scripts and styles are revalidated by ETag.
 */
const pagesDir = fileURLToPath(new URL('../../../pages/', import.meta.url));

export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; manifest-src 'self'; " +
  "worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

interface Asset {
  body: string;
  type: string;
  etag: string;
  /** HTML: no-store; the rest: revalidate. */
  cache: 'no-store' | 'no-cache';
  headers?: Record<string, string>;
}

/** URL path -> what is served there. */
type Assets = Map<string, Asset>;

let assets: Promise<Assets> | undefined;

function asset(body: string, type: string, extra: Partial<Pick<Asset, 'cache' | 'headers'>> = {}): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, type, etag, cache: extra.cache ?? 'no-cache', headers: extra.headers };
}

/** The bundles, by their path under src/pages/ ("authenticator/app.js"). */
export async function bundlePages(): Promise<Map<string, string>> {
  const outdir = join(pagesDir, '.bundle');
  const result = await build({
    absWorkingDir: pagesDir,
    entryPoints: {
      'authenticator/app': join(pagesDir, 'authenticator', 'main.ts'),
      'authenticator/service-worker': join(pagesDir, 'authenticator', 'service-worker.ts'),
      'sign-in/app': join(pagesDir, 'sign-in', 'main.ts'),
      'invitation/app': join(pagesDir, 'invitation', 'main.ts'),
      'phone-reset/app': join(pagesDir, 'phone-reset', 'main.ts'),
    },
    outdir,
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const bundles = new Map<string, string>();
  for (const file of result.outputFiles) bundles.set(relative(outdir, file.path).split(sep).join('/'), file.text);
  return bundles;
}

async function loadAssets(): Promise<Assets> {
  const read = (path: string) => readFile(join(pagesDir, path), 'utf8');
  const [
    bundles,
    base,
    recoveryCodesCss,
    authenticatorCss,
    signInCss,
    invitationCss,
    accountCss,
    phoneResetCss,
    authenticatorHtml,
    signInHtml,
    interactionHtml,
    invitationHtml,
    accountHtml,
    phoneResetHtml,
    manifest,
    icon,
  ] = await Promise.all([
    bundlePages(),
    read('common/base.css'),
    read('common/recovery-codes.css'),
    read('authenticator/styles.css'),
    read('sign-in/styles.css'),
    read('invitation/styles.css'),
    read('account/styles.css'),
    read('phone-reset/styles.css'),
    read('authenticator/index.html'),
    read('sign-in/index.html'),
    read('sign-in/interaction.html'),
    read('invitation/index.html'),
    read('account/index.html'),
    read('phone-reset/index.html'),
    read('authenticator/manifest.webmanifest'),
    read('authenticator/icon.svg'),
  ]);
  // The first second factor's setup steps (common/factor-setup.ts and its steps), on the sign-in and invitation pages.
  const factorSetupCss = await read('common/factor-setup.css');
  const bundle = (name: string) => {
    const text = bundles.get(name);
    if (text === undefined) throw new Error(`esbuild produced no ${name}`);
    return text;
  };
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  const html = 'text/html; charset=utf-8';
  return new Map<string, Asset>([
    ['/authenticator/', asset(authenticatorHtml, html, { cache: 'no-store' })],
    ['/authenticator/app.js', asset(bundle('authenticator/app.js'), js)],
    [
      '/authenticator/service-worker.js',
      asset(bundle('authenticator/service-worker.js'), js, { headers: { 'service-worker-allowed': '/authenticator/' } }),
    ],
    ['/authenticator/styles.css', asset(`${base}\n${authenticatorCss}`, css)],
    ['/authenticator/manifest.webmanifest', asset(manifest, 'application/manifest+json; charset=utf-8')],
    ['/authenticator/icon.svg', asset(icon, 'image/svg+xml; charset=utf-8')],
    ['/sign-in', asset(signInHtml, html, { cache: 'no-store' })],
    ['/sign-in/app.js', asset(bundle('sign-in/app.js'), js)],
    // An OpenID sign-in's steps (/interaction/{uid}): the same page, which reads its mode from the path.
    [INTERACTION_PAGE, asset(interactionHtml, html, { cache: 'no-store' })],
    // The pages that show the recovery-codes step (common/recovery-codes.ts) get its styles too.
    ['/sign-in/styles.css', asset(`${base}\n${recoveryCodesCss}\n${factorSetupCss}\n${signInCss}`, css)],
    ['/invitation/', asset(invitationHtml, html, { cache: 'no-store' })],
    ['/invitation/app.js', asset(bundle('invitation/app.js'), js)],
    ['/invitation/styles.css', asset(`${base}\n${recoveryCodesCss}\n${factorSetupCss}\n${invitationCss}`, css)],
    // The account page: the sign-in's bundle (its third mode) and steps, so its styles too, then its own.
    ['/account/', asset(accountHtml, html, { cache: 'no-store' })],
    ['/account/styles.css', asset(`${base}\n${recoveryCodesCss}\n${factorSetupCss}\n${signInCss}\n${accountCss}`, css)],
    // The phone reset link's page (/phone-reset/{token}): the token is in the path, so it is never
    // stored (no-store) nor sent on (no-referrer, as every page here).
    [PHONE_RESET_PAGE, asset(phoneResetHtml, html, { cache: 'no-store' })],
    ['/phone-reset/app.js', asset(bundle('phone-reset/app.js'), js)],
    ['/phone-reset/styles.css', asset(`${base}\n${phoneResetCss}`, css)],
  ]);
}

/** Built on first use; a failed build is forgotten, so the next request tries again. */
function pageAssets(): Promise<Assets> {
  assets ??= loadAssets().catch((error: unknown) => {
    assets = undefined;
    throw error;
  });
  return assets;
}

/** The key of the interaction page among the assets; served at /interaction/{uid}. */
const INTERACTION_PAGE = '/interaction/:uid';
/** The phone reset page's key; served at /phone-reset/{token} (its files, app.js and styles.css, beside it). */
const PHONE_RESET_PAGE = '/phone-reset/:token';

export const endUserPagePaths = [
  '/authenticator/',
  '/authenticator/app.js',
  '/authenticator/service-worker.js',
  '/authenticator/styles.css',
  '/authenticator/manifest.webmanifest',
  '/authenticator/icon.svg',
  '/sign-in',
  '/sign-in/app.js',
  '/sign-in/styles.css',
  '/invitation/',
  '/invitation/app.js',
  '/invitation/styles.css',
  '/account/',
  '/account/styles.css',
  '/phone-reset/app.js',
  '/phone-reset/styles.css',
] as const;

async function serve(path: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  let served: Asset | undefined;
  try {
    served = (await pageAssets()).get(path);
  } catch (error) {
    request.log.error({ err: error }, 'the end-user pages could not be built');
    return reply
      .code(500)
      .headers(securityHeaders)
      .send({ error: 'internal_error', message: 'Something went wrong on our side. It has been logged.' });
  }
  if (!served) return reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${path}.` });
  reply.headers(securityHeaders).headers({ 'cache-control': served.cache, ...served.headers });
  if (served.cache === 'no-cache') {
    reply.header('etag', served.etag);
    if (request.headers['if-none-match'] === served.etag) return reply.code(304).send();
  }
  return reply.type(served.type).send(served.body);
}

/** The query of a request's URL, with its "?", or "". */
function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at);
}

export function registerEndUserPages(app: FastifyInstance): void {
  for (const path of endUserPagePaths) app.get(path, (request, reply) => serve(path, request, reply));
  app.get(INTERACTION_PAGE, (request, reply) => {
    // Only what can be an interaction's id opens the page (else it would fall back to another mode).
    const { uid } = request.params as { uid: string };
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(uid)) return reply.code(404).send({ error: 'not_found', message: 'There is no such sign-in.' });
    return serve(INTERACTION_PAGE, request, reply);
  });
  // Any token of the link's alphabet opens the page (a link cut short says so there); a file name never does.
  app.get<{ Params: { token: string } }>(PHONE_RESET_PAGE, (request, reply) =>
    /^[A-Za-z0-9_-]{1,256}$/.test(request.params.token)
      ? serve(PHONE_RESET_PAGE, request, reply)
      : reply.code(404).send({ error: 'not_found', message: 'There is no such page.' }),
  );
  // The app's address without its slash: relative URLs in the page need the folder form.
  app.get('/authenticator', async (_request, reply) => reply.headers(securityHeaders).redirect('authenticator/', 308));
  // The same for the invitation link typed or pasted without its slash (the fragment survives a redirect).
  app.get('/invitation', async (_request, reply) => reply.headers(securityHeaders).redirect('invitation/', 308));
  // And the account page (`?tenant=` survives: the redirect keeps the query).
  app.get('/account', async (request, reply) => reply.headers(securityHeaders).redirect(`account/${queryOf(request.url)}`, 308));
}
