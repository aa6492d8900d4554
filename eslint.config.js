// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import direction from shared/ARCHITECTURE.md, enforced so a wrong arrow fails CI.
 * Each entry: the files, and the layers they must not import.
 */
const layers = {
  leaves: ['config', 'logging', 'shared'],
  engines: ['sip', 'drachtio', 'media'],
  ports: ['telephony'],
  domain: ['ivr', 'acd', 'dialer', 'tickets', 'metrics', 'identity'],
  adapters: ['db'],
  glue: ['calls'],
  entries: ['api', 'ws', 'jobs'],
};
const all = Object.values(layers).flat();
/** @param {string[]} dirs */
const forbid = (dirs) => dirs.map((d) => ({ group: [`**/${d}/*`, `**/${d}`], message: `this layer must not import ${d}/ (see shared/ARCHITECTURE.md)` }));
/** @param {string[]} from @param {string[]} banned */
const rule = (from, banned) => ({
  files: from.map((d) => `src/${d}/**/*.ts`),
  rules: { 'no-restricted-imports': ['error', { patterns: forbid(banned) }] },
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
  rule(layers.leaves, all.filter((d) => !layers.leaves.includes(d))),
  rule(layers.engines, [...layers.domain, ...layers.adapters, ...layers.glue, ...layers.entries]),
  rule(layers.ports, [...layers.engines, ...layers.domain, ...layers.adapters, ...layers.glue, ...layers.entries]),
  rule(layers.domain, [...layers.engines, ...layers.adapters, ...layers.glue, ...layers.entries]),
  rule(layers.adapters, [...layers.engines, ...layers.ports, ...layers.glue, ...layers.entries]),
  rule(layers.glue, [...layers.engines, ...layers.adapters, ...layers.entries]),
  rule(layers.entries, [...layers.engines, ...layers.adapters]),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
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
