import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Vite 6: it runs on Node 18 (Debian 12's nodejs) as well as 20+, and installs with npm 9 to 11.
// Built by Maven (exec-maven-plugin, generate-resources) into a generated resource folder that the pom adds to the
// jar, so the api verticle's StaticHandler serves it from the classpath at webroot/.
const outDir = fileURLToPath(new URL('../../../../../target/generated-resources/webapp/webroot', import.meta.url));

export default defineConfig({
  base: '/',
  // sockjs-client reads `global`; browsers have globalThis.
  define: { global: 'globalThis' },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // No inline scripts or modulepreload polyfill: the api's Content-Security-Policy allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://localhost:8080', '/config.json': 'http://localhost:8080' } },
});
