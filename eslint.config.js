// @ts-check
import tseslint from 'typescript-eslint';

/** Folder boundaries (ARCHITECTURE.md): who may import what, enforced here rather than by memory. */
const runtimeSpecific = [
  'node:*',
  'fs',
  'path',
  'crypto',
  'electron',
  'fastify',
  'kysely',
  'better-sqlite3',
  'pg',
  'argon2',
  'react',
  'react-dom',
  'keytar',
];
const boundary = (patterns) => ['error', { patterns }];
const noServer = { group: ['**/server/**', '**/server'], message: 'Only the server imports the server; share through src/shared.' };
const noMain = {
  group: ['**/main/**'],
  message: 'The main process is private to the Electron app; go through the ConsoleApi in src/shared.',
};
const noRenderer = { group: ['**/renderer/**'], message: 'The renderer is a leaf: nothing imports it.' };
const noPreload = { group: ['**/preload/**'], message: 'The preload script is a leaf: nothing imports it.' };
const serverBoundary = [noMain, noRenderer, noPreload, { group: ['electron'], message: 'The server never imports Electron.' }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'data/**', 'coverage/**', 'bench/peers/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        { group: runtimeSpecific, message: 'src/shared is pure TypeScript: no Node, DOM, Electron or server libraries.' },
        noServer,
        noMain,
        noRenderer,
        noPreload,
      ]),
    },
  },
  { files: ['src/server/**/*.ts'], rules: { 'no-restricted-imports': boundary(serverBoundary) } },
  {
    // policy/ holds pure decisions; what reads or writes the database lives in store/ (ARCHITECTURE.md).
    files: ['src/server/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        ...serverBoundary,
        {
          group: ['kysely', 'pg', 'better-sqlite3', '**/store/**'],
          message: 'policy/ is pure: read and write the database in store/repositories.',
        },
      ]),
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': boundary([
        noServer,
        noMain,
        noPreload,
        { group: ['node:*', 'electron', 'keytar'], message: 'The renderer runs in a sandboxed page: use the ConsoleApi bridge.' },
      ]),
      // Every word an operator reads goes through i18n (en, nb, de): no words written into JSX.
      'no-restricted-syntax': [
        'error',
        { selector: 'JSXText[value=/\\p{L}/u]', message: "User-facing text goes through i18n: t('key')." },
        {
          selector: 'JSXAttribute[name.name=/^(placeholder|title|alt|aria-label)$/] > Literal',
          message: "User-facing text goes through i18n: t('key').",
        },
      ],
    },
  },
  { files: ['src/preload/**/*.ts'], rules: { 'no-restricted-imports': boundary([noServer, noMain, noRenderer]) } },
  {
    // The end-user pages (the authenticator PWA, the hosted sign-in) run in a plain browser: the DOM
    // and src/shared only (type-only imports of its zod schemas keep zod out of the bundles).
    files: ['src/pages/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        noServer,
        noMain,
        noRenderer,
        noPreload,
        { group: runtimeSpecific, message: 'src/pages runs in a browser: the DOM and src/shared only.' },
      ]),
    },
  },
  {
    // The reference push device speaks to the server only over HTTP, with the shared protocol: a
    // device that imported the server's code could not prove that the protocol stands on its own.
    files: ['src/push-device/**/*.ts'],
    rules: { 'no-restricted-imports': boundary([noServer, noMain, noRenderer, noPreload]) },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/window.ts', 'src/main/security.ts', 'src/main/ipc.ts'],
    rules: {
      'no-restricted-imports': boundary([
        noServer,
        noRenderer,
        noPreload,
        {
          group: ['electron'],
          message: 'Only the thin shell (index, window, security, ipc) imports Electron; services stay testable in plain Node.',
        },
      ]),
    },
  },
);
