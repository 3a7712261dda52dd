import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { RequestMeta } from './request-meta.js';
import type { Authenticated } from './session-auth.js';
import type { OperatorPrincipal } from '../admin/operator-principal.js';
import type { PushDeviceRow } from '../store/repositories/push-devices.js';

/**
 * Who may call a route: anyone, an end-user session (or enrollment token), an operator, or a push
 * device (a request signed with its key: factors/push/device-requests.ts).
 */
export type RouteAuth = 'none' | 'enrollment_or_session' | 'session' | 'operator' | 'device';

export interface RouteInput<Body, Params, Query, A extends RouteAuth> {
  ctx: ServerContext;
  body: Body;
  params: Params;
  query: Query;
  meta: RequestMeta;
  auth: A extends 'none' ? undefined : A extends 'operator' ? OperatorPrincipal : A extends 'device' ? PushDeviceRow : Authenticated;
}

/**
 * One route: its schemas validate the request and describe it in /openapi.json, so the contract and
 * its documentation cannot drift apart.
 */
export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  A extends RouteAuth = RouteAuth,
  Q extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify path syntax: /v1/auth/challenges/:id/verify */
  url: string;
  summary: string;
  tag: string;
  auth: A;
  body?: B;
  params?: P;
  /** Query-string parameters (GET filters). */
  query?: Q;
  response: R;
  /** @default 200 */
  status?: number;
  /** Error codes this route answers with, listed in the OpenAPI document. */
  errors?: string[];
  handler(input: RouteInput<z.output<B>, z.output<P>, z.output<Q>, A>): Promise<z.input<R>>;
}

/** Keeps the handler's types tied to the schemas. */
export function defineRoute<
  B extends z.ZodType,
  P extends z.ZodType,
  R extends z.ZodType,
  A extends RouteAuth,
  Q extends z.ZodType = z.ZodType,
>(spec: RouteSpec<B, P, R, A, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}
