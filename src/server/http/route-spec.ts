import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { RequestMeta } from '../flows/request-meta.js';
import type { Authenticated } from '../flows/session-auth.js';

/** Who may call a route: anyone, a session or enrollment token, or a full session only. */
export type RouteAuth = 'none' | 'enrollment_or_session' | 'session';

export interface RouteInput<Body, Params, A extends RouteAuth> {
  ctx: ServerContext;
  body: Body;
  params: Params;
  meta: RequestMeta;
  auth: A extends 'none' ? undefined : Authenticated;
}

/**
 * One route: its schemas validate the request and describe it in /openapi.json, so the contract and
 * its documentation cannot drift apart.
 */
export interface RouteSpec<B extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, A extends RouteAuth = RouteAuth> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify path syntax: /v1/auth/challenges/:id/verify */
  url: string;
  summary: string;
  tag: string;
  auth: A;
  body?: B;
  params?: P;
  response: R;
  /** @default 200 */
  status?: number;
  /** Error codes this route answers with, listed in the OpenAPI document. */
  errors?: string[];
  handler(input: RouteInput<z.output<B>, z.output<P>, A>): Promise<z.input<R>>;
}

/** Keeps the handler's types tied to the schemas. */
export function defineRoute<B extends z.ZodType, P extends z.ZodType, R extends z.ZodType, A extends RouteAuth>(spec: RouteSpec<B, P, R, A>): RouteSpec {
  return spec as unknown as RouteSpec;
}
