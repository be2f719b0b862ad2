/** @module Vite build of the single-page app; the dev server proxies the API (HTTP and WebSocket) to the edge. */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const EDGE_URL = process.env.CONSTELLATE_EDGE_URL ?? 'http://127.0.0.1:8787'

export default defineConfig({
  plugins: [svelte()],
  resolve: {
    alias: {
      // shared/ ships TypeScript source with `.ts` import extensions; Vite compiles it like our own files.
      '@constellate/shared': fileURLToPath(new URL('../shared/src/index.ts', import.meta.url)),
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: EDGE_URL, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: EDGE_URL, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
})
