// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench-results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@imsync/*/src/*', '@imsync/*/dist/*'],
              message: 'Import a package by its name; its index.ts says what it exports.',
            },
            {
              group: ['@imsync/ingest', '@imsync/sync-worker', '**/ingest/src/**', '**/sync-worker/src/**'],
              message: 'A service never imports another service: share code through @imsync/callbacks.',
            },
          ],
        },
      ],
    },
  },
  {
    // the services themselves may import their own modules
    files: ['packages/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@imsync/sync-worker', '**/sync-worker/src/**', '@imsync/*/src/*'],
              message: 'No service imports another service.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/sync-worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@imsync/ingest', '**/ingest/src/**', '@imsync/*/src/*'],
              message: 'No service imports another service.',
            },
          ],
        },
      ],
    },
  },
);
