import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerRules } from './scripts/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'coverage/**', 'bench/out/**', 'test-output/**', '.hookd/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'bench/*.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Request bodies and database rows are `unknown`/`any` at the edges; we validate them explicitly.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape each assertion checks; typing every body would add noise.
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-useless-assignment': 'off', '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  // Imports run down the layers only (scripts/layers.js).
  ...layerRules(),
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // Plain JS (Node entry points, browser modules) has no type information, so no-undef only adds
  // noise about platform globals (process, document, fetch).
  { files: ['**/*.js'], rules: { 'no-undef': 'off' } },
);
