import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ErrorBody } from '../../shared/errors.js';
import { ApiError } from '../api-error.js';

/** Fastify's own errors, mapped to our stable codes. */
const fastifyCodes: Record<string, { status: number; error: ErrorBody['error']; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: 'unsupported_media_type',
    message: 'Send JSON with Content-Type: application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    error: 'invalid_request',
    message: 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'invalid_json', message: 'The body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'invalid_json', message: 'The body is not valid JSON.' },
  // Router refusals: Fastify's own answers echo the raw URL. 400, not its 414, since a code keeps one status.
  FST_ERR_BAD_URL: { status: 400, error: 'invalid_request', message: 'The URL has a malformed %-escape.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, error: 'invalid_request', message: 'A path segment of the URL is too long.' },
};

export function describeZodError(error: z.ZodError): { message: string; issues: Array<{ path: string; message: string }> } {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
  return { message: `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues };
}

/** Fastify's `frameworkErrors`: what the router refuses before any route, hook or error handler runs. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = fastifyCodes[error.code];
  if (known) {
    reply.code(known.status).send({ error: known.error, message: known.message });
    return;
  }
  request.log.error({ err: error }, 'unhandled framework error');
  reply.code(500).send({ error: 'internal_error', message: 'Something went wrong on our side. It has been logged.' });
}

/** Every failure becomes `{error, message, ...details}` with a 4xx, or a bare 500 without internals. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) {
      if (error.http.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.http.retryAfterSeconds));
      return reply.code(error.status).send({ error: error.code, message: error.message, ...error.details });
    }
    if (error instanceof z.ZodError) {
      return reply.code(400).send({ error: 'invalid_request', ...describeZodError(error) });
    }
    const known = 'code' in error && typeof error.code === 'string' ? fastifyCodes[error.code] : undefined;
    if (known) return reply.code(known.status).send({ error: known.error, message: known.message });
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: status === 413 ? 'payload_too_large' : 'invalid_request', message: 'The request could not be read.' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'Something went wrong on our side. It has been logged.' });
  });
  // The path as sent (still %-encoded: a bad escape never gets here), without the query, where
  // tokens ride: JSON-escaped in a JSON body, it tells the caller what they called and injects nothing.
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before there is a request (a
 * request or header timeout, oversized headers, bytes that are not HTTP). The connection is closed
 * either way; the answer carries our shape and a stable code instead of Fastify's own body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer (Node's http docs, 'clientError').
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Fastify may already be answering on this socket (a 413 while the client still trickles its body):
  // a second status line would corrupt that answer, so only the close remains (as Node's own handler).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inFlight?.headersSent) {
    socket.destroy(error);
    return;
  }
  const [status, reason, body]: [number, string, ErrorBody] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', { error: 'request_timeout', message: 'The request did not arrive in time; the connection is closed.' }]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', { error: 'headers_too_large', message: 'The request headers are too large.' }]
        : [400, 'Bad Request', { error: 'invalid_request', message: 'The request is not valid HTTP.' }];
  const json = JSON.stringify(body);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${json}`,
    );
  socket.destroy(error);
}
