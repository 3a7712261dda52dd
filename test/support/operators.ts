import { generateSync } from 'otplib';
import type { OperatorRole } from '../../src/shared/api/admin.js';
import { createOperator } from '../../src/server/flows/operators.js';
import type { TestServer } from './test-server.js';

export interface SignedInOperator {
  email: string;
  password: string;
  secret: string;
  accessToken: string;
  refreshToken: string;
  id: string;
}

/** An authenticator code for the operator: at the server clock's current step (a step can be used once). */
export function operatorCode(secret: string, server: TestServer): string {
  return generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });
}

/** Creates an operator and signs them in over HTTP. */
export async function signedInOperator(server: TestServer, role: OperatorRole, tenantSlugs: string[] = []): Promise<SignedInOperator> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@desk.test`;
  const password = 'operator password 2026';
  const created = await createOperator(server.ctx, { email, name: `Op ${role}`, role, tenantSlugs, password });
  const login = await server.call('POST', '/v1/admin/auth/login', {
    body: { email, password, code: operatorCode(created.totpSecret, server), deviceName: 'test' },
  });
  if (login.status !== 200) throw new Error(`operator sign-in failed: ${JSON.stringify(login.body)}`);
  return {
    email,
    password,
    secret: created.totpSecret,
    id: created.operator.id,
    accessToken: String(login.body.accessToken),
    refreshToken: String(login.body.refreshToken),
  };
}
