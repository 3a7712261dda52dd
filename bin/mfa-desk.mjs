#!/usr/bin/env node
// Runs the TypeScript CLI straight from src/ (tsx), so `npx mfa-desk` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli.ts');
