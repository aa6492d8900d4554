// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/**
 * Import direction from docs/architecture.md, enforced so a wrong arrow fails CI.
 * Each entry: the files, and the layers they must not import.
 */
const layers = {
  leaves: ['config', 'logging', 'shared'],
  engines: ['sip', 'drachtio', 'media'],
  ports: ['telephony'],
  domain: ['ivr', 'acd', 'dialer', 'tickets', 'metrics', 'identity', 'knowledge', 'notices', 'trunks'],
  adapters: ['db'],
  glue: ['calls'],
  entries: ['api', 'ws', 'jobs'],
  // The composition root (with src/server.ts and src/main.ts): it may import every layer, and no
  // layer may import it.
  composition: ['composition'],
};
const all = Object.values(layers).flat();
/** @param {string[]} dirs */
const forbid = (dirs) => dirs.map((d) => ({ group: [`**/${d}/*`, `**/${d}`], message: `this layer must not import ${d}/ (see docs/architecture.md)` }));
/**
 * Framework and adapter packages: the domain, the call glue and the telephony port talk to them only
 * through the interfaces they declare, so none of these may be imported there.
 */
const adapterPackages = ['express', 'ws', 'sequelize', 'sip', 'mysql2', 'sqlite3', 'drachtio-srf', 'prom-client', 'node-cron', 'sdp-transform', 'umzug'];
/** @param {string[]} packages */
const forbidPackages = (packages) =>
  packages.length === 0 ? [] : [{ group: packages.flatMap((p) => [p, `${p}/*`]), message: 'frameworks and adapters stay out of this layer: declare a port and implement it in an adapter (see docs/architecture.md)' }];
/** @param {string[]} from @param {string[]} banned @param {string[]} [bannedPackages] */
const rule = (from, banned, bannedPackages = []) => ({
  files: from.map((d) => `src/${d}/**/*.ts`),
  rules: { 'no-restricted-imports': ['error', { patterns: [...forbid([...new Set([...banned, ...layers.composition])]), ...forbidPackages(bannedPackages)] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'eslint.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  rule(layers.leaves, all.filter((d) => !layers.leaves.includes(d)), adapterPackages),
  rule(layers.engines, [...layers.domain, ...layers.adapters, ...layers.glue, ...layers.entries]),
  rule(layers.ports, [...layers.engines, ...layers.domain, ...layers.adapters, ...layers.glue, ...layers.entries], adapterPackages),
  rule(layers.domain, [...layers.engines, ...layers.adapters, ...layers.glue, ...layers.entries], adapterPackages),
  rule(layers.adapters, [...layers.engines, ...layers.ports, ...layers.glue, ...layers.entries]),
  rule(layers.glue, [...layers.engines, ...layers.adapters, ...layers.entries], adapterPackages),
  rule(layers.entries, [...layers.engines, ...layers.adapters]),
  // The browser workspace (src/workspace): its own tsconfig (DOM, bundler); Vue's rules for .vue files,
  // which are type-checked by vue-tsc (npm run typecheck:web) rather than by typed lint rules.
  ...pluginVue.configs['flat/recommended'].map((c) => ({ ...c, files: ['src/workspace/**/*.vue'] })),
  {
    files: ['src/workspace/**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], projectService: false, sourceType: 'module' } },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      // Names in <script setup lang="ts"> are checked by vue-tsc, which knows the DOM (window, URL, ResizeObserver …).
      'no-undef': 'off',
    },
  },
  {
    files: ['src/workspace/**/*.ts', 'src/workspace/**/*.vue'],
    ignores: ['src/workspace/*.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'crypto', 'child_process'], message: 'browser code: no Node.js modules' },
            {
              group: ['../../../*', '../../../../*', '../../../../../*'],
              message: 'browser code must not import the server (talk to it over /api/v1 and /ws); the JSON shapes are shared as @wire/* (src/shared/wire)',
            },
          ],
        },
      ],
    },
  },
  // The wire types (src/shared/wire): the JSON shapes both the server and the browser compile, so they
  // import nothing but each other (no Node, no packages, no other server module).
  {
    files: ['src/shared/wire/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./[^/]+$)', message: 'src/shared/wire imports only its own files (./name.js): both the server and the browser compile it' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: 'FunctionDeclaration, FunctionExpression, ArrowFunctionExpression, ClassDeclaration', message: 'src/shared/wire holds types and literal tables only: code belongs to the server or the browser' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/workspace/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through src/config only' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
