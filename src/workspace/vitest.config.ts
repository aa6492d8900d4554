import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: { alias: { '@wire': fileURLToPath(new URL('../shared/wire', import.meta.url)) } },
  test: { environment: 'happy-dom', include: ['test/**/*.test.ts'], css: false, server: { deps: { inline: ['element-plus'] } } },
});
