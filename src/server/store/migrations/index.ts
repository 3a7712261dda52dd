import type { Migration } from 'kysely';
import type { Dialect } from '../database.js';
import { initialSchema } from './001_initial.js';

/** Every migration, in order. Names never change once shipped. */
export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': initialSchema(dialect),
  };
}
