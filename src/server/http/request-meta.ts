import type { FastifyRequest } from 'fastify';

/** Who is asking, as the HTTP layer saw it. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
}

/** Who is asking: the client IP (after the trusted proxies) and its user agent, bounded. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512) };
}
