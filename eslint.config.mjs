// @ts-check
import { readdirSync } from 'node:fs';
import { URL } from 'node:url';
import eslint from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Every workspace package, by its folder under packages/. */
const PACKAGES = readdirSync(new URL('./packages/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** No package is imported by a path into its src/ or dist/: its index.ts says what it exports. */
const DEEP_IMPORTS = {
  group: [
    '@imsync/*/src/*',
    '@imsync/*/dist/*',
    ...PACKAGES.flatMap((p) => [`**/${p}/src/**`, `**/${p}/dist/**`]),
  ],
  message: 'Import a package by its name; its index.ts says what it exports.',
};

/** The services: each may import its own modules, never another service's. */
const SERVICES = ['ingest', 'sync-worker'];

/** The pattern that keeps every service but `self` out of a file's imports. */
const otherServices = (self = '') => {
  const others = SERVICES.filter((s) => s !== self);
  return {
    group: others.flatMap((s) => [`@imsync/${s}`, `@imsync/${s}/*`]),
    message: 'A service never imports another service: share code through @imsync/callbacks.',
  };
};

/** The import rule for files of `self` (a service), or of any other package: the base patterns, always. */
const importRule = (self = '') => ({
  'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS, otherServices(self)] }],
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench-results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // TypeScript ESM: `./x.js` names `./x.ts`
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // no import cycle among modules (type-only imports vanish at run time and do not count)
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      ...importRule(),
    },
  },
  ...SERVICES.map((service) => ({ files: [`packages/${service}/**/*.ts`], rules: importRule(service) })),
);
