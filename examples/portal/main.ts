import { readFileSync } from 'node:fs';
import { buildPortal, type PortalTenant } from './portal.js';

/**
 * `node bin/run-ts.mjs examples/portal/main.ts`: the example portal on PORTAL_PORT (3000), for the
 * clients in PORTAL_CONFIG (a JSON file: [{label, issuer, clientId, clientSecret}]). `npm start`
 * registers the clients and runs it for you (scripts/start.ts).
 */
const port = Number(process.env.PORTAL_PORT ?? 3000);
const configPath = process.env.PORTAL_CONFIG;
if (!configPath) {
  console.error('Set PORTAL_CONFIG to a JSON file of [{label, issuer, clientId, clientSecret}] (npm start writes one).');
  process.exit(2);
}
const tenants = JSON.parse(readFileSync(configPath, 'utf8')) as PortalTenant[];
const url = `http://127.0.0.1:${port}`;
const app = await buildPortal({ url, tenants });
await app.listen({ host: '127.0.0.1', port });
console.log(`Example portal on ${url}`);
