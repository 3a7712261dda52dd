import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromEnv } from '../src/server/config.js';
import { buildPortal, type PortalTenant } from '../examples/portal/portal.js';

/**
 * `npm start`'s example portal (examples/portal) beside the server: registered once as a client of
 * each demo tenant (with the CLI, as an integrator would: `mfa-desk oidc-client add`), its client ids
 * and secrets kept in the data directory (0600), then served on PORTAL_PORT (3000).
 */
const DEMO_TENANTS = [
  { slug: 'nordlys', label: 'Nordlys Regnskap AS (authenticator app)' },
  { slug: 'hansa', label: 'Hansa Logistik GmbH (SMS)' },
];

export async function startExamplePortal(
  repo: string,
  serverUrl: string,
  say: (line: string) => void,
): Promise<(() => Promise<void>) | null> {
  const port = Number(process.env.PORTAL_PORT ?? 3000);
  const url = `http://127.0.0.1:${port}`;
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [join(repo, 'bin/mfa-desk.mjs'), ...args, '--json'], {
      cwd: repo,
      env: { ...process.env, MFA_DESK_PUBLIC_URL: process.env.MFA_DESK_PUBLIC_URL ?? serverUrl },
      encoding: 'utf8',
    });
  const file = join(configFromEnv(process.env).dataDir, 'example-portal.json');
  let tenants: PortalTenant[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PortalTenant[]) : [];
  const stillRegistered = (t: PortalTenant, slug: string) =>
    (JSON.parse(cli('oidc-client', 'list', '--tenant', slug)) as Array<{ clientId: string }>).some((c) => c.clientId === t.clientId);
  try {
    if (
      tenants.length !== DEMO_TENANTS.length ||
      !tenants.every((t, i) => t.issuer === `${serverUrl}/oidc` && stillRegistered(t, DEMO_TENANTS[i]!.slug))
    ) {
      tenants = DEMO_TENANTS.map(({ slug, label }) => {
        const made = JSON.parse(
          cli(
            'oidc-client',
            'add',
            '--tenant',
            slug,
            '--name',
            'Example portal',
            '--redirect-uri',
            `${url}/callback`,
            '--post-logout-uri',
            `${url}/`,
          ),
        ) as { clientId: string; clientSecret: string; issuer: string };
        return {
          label,
          issuer: made.issuer,
          clientId: made.clientId,
          clientSecret: made.clientSecret,
          accountUrl: `${serverUrl}/account/?tenant=${slug}`,
        };
      });
      writeFileSync(file, JSON.stringify(tenants, null, 2), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
  } catch (error) {
    // Not the demo database (the tenants are not there): the portal is a demo, the product runs without it.
    say(`the example portal was not started: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return null;
  }
  // The account page's address follows the server's (a file written before it had none).
  tenants = tenants.map((t, i) => ({ ...t, accountUrl: `${serverUrl}/account/?tenant=${DEMO_TENANTS[i]!.slug}` }));
  const app = await buildPortal({ url, tenants });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    say(`the example portal could not listen on ${url} (${(error as Error).message}); set PORTAL_PORT to another port`);
    return null;
  }
  say(`example portal on ${url}: sign in there as a demo user (ny.ansatt@nordlys.test, neu@hansa.test; password "demo password 2026")`);
  return () => app.close();
}
