import type { z } from 'zod';
import { ApiError } from '../api-error.js';
import { describeZodError } from './error-handler.js';

/**
 * A request's body, params or query through its schema: the route table's routes (app.ts) and the
 * few routes that need the raw request (the OpenID interaction's) read input the one way.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  // PostgreSQL refuses NUL in text (SQLite would keep it): refuse it for both, before any query.
  if (containsNul(value)) throw new ApiError('invalid_request', 'Text may not contain NUL (\\u0000) characters.');
  const result = schema.safeParse(value);
  if (!result.success) {
    const { message, issues } = describeZodError(result.error);
    throw new ApiError('invalid_request', message, { issues });
  }
  return result.data;
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1));
}
