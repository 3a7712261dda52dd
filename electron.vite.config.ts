import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/main/content-security.js';

/**
 * The built index.html carries the strict CSP as a meta tag (the app:// protocol and the browser
 * host send it as a header too). Only in builds: Vite's dev server injects inline scripts.
 */
function strictCsp(): Plugin {
  return {
    name: 'mfa-desk-strict-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="utf-8" />',
        `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy.replace("; frame-ancestors 'none'", '')}" />`,
      ),
  };
}

export default defineConfig({
  main: {
    // zod is bundled so the packaged app needs only keytar (native) from node_modules.
    build: { externalizeDeps: { exclude: ['zod'] }, rolldownOptions: { input: { index: 'src/main/index.ts' } } },
  },
  preload: {
    // Sandboxed preloads must be a single CommonJS file with everything bundled in.
    build: {
      externalizeDeps: false,
      rolldownOptions: { input: { index: 'src/preload/index.ts' }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), strictCsp()],
    build: {
      rolldownOptions: { input: { index: 'src/renderer/index.html' } },
      // No inlined data: assets or inline scripts: everything is a file the CSP allows as 'self'.
      assetsInlineLimit: 0,
      minify: true,
      modulePreload: { polyfill: false },
    },
  },
});
