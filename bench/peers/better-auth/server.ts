/**
 * The peer's server: better-auth (auth.ts, its real password hash on every sign-in) behind node:http with
 * better-auth's Node handler, on a database made by setup.ts. Prints "listening on http://..." as
 * `mfa-desk serve` does, so bench/support/server-process.ts-style readers find the port.
 *
 *   BENCH_PEER_SECRET=... node bin/run-ts.mjs bench/peers/better-auth/server.ts --db FILE [--port 0] [--hash argon2id|default]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { toNodeHandler } from 'better-auth/node';
import { createPeerAuth } from './auth.js';
import { isPeerHash } from './shared.js';

const { values } = parseArgs({
  options: { db: { type: 'string' }, port: { type: 'string', default: '0' }, hash: { type: 'string', default: 'argon2id' } },
});
const secret = process.env.BENCH_PEER_SECRET;
if (!values.db || !secret || !isPeerHash(values.hash)) {
  console.error('usage: server.ts --db FILE [--port N] [--hash argon2id|default], with BENCH_PEER_SECRET set');
  process.exit(2);
}
const { auth, sqlite } = createPeerAuth(values.db, secret, values.hash);
const server = createServer(toNodeHandler(auth));
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`better-auth peer listening on http://127.0.0.1:${port}`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  sqlite.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
