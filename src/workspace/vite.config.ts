/**
 * The workspace (browser app) build. `npm install` and `npm start` build it into dist/workspace
 * (scripts/build-workspace.ts); the server serves that folder at `/`.
 */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  // The JSON shapes shared with the server (src/shared/wire: types and literal tables only).
  resolve: { alias: { '@wire': fileURLToPath(new URL('../shared/wire', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/workspace', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // The kit and the charts change less often than our pages: separate files cache separately.
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@vueuse|async-validator|dayjs|lodash)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/ws': { target: 'ws://127.0.0.1:3000', ws: true } },
  },
});
