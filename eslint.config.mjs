// Lint for the whole repository: typescript-eslint with type information for the promise rules (a floating or
// misused promise is how an event gets lost silently), Prettier owns the layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Which adapter folder may import which Kafka client library (see the Kafka port rules below).
const kafkajsOnly = {
  name: 'kafkajs',
  message:
    'Use the Kafka port (libs/dual-stream/src/kafka/kafka-port.interface.ts); only the kafkajs adapter in libs/dual-stream/src/kafka/kafkajs/ imports kafkajs.',
};
const kafkajsDeep = { group: ['kafkajs/*'], message: 'Only the kafkajs adapter imports kafkajs.' };
const platformaticOnly = {
  name: '@platformatic/kafka',
  message:
    'Use the Kafka port (libs/dual-stream/src/kafka/kafka-port.interface.ts); only the platformatic adapter in libs/dual-stream/src/kafka/platformatic/ imports @platformatic/kafka.',
};
const platformaticDeep = {
  group: ['@platformatic/kafka/*'],
  message: 'Only the platformatic adapter imports @platformatic/kafka.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'libs/*/dist/**', 'coverage/**', '.infra/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  prettier,
  // After eslint-config-prettier (which turns `curly` off): braces on every multi-line body.
  { rules: { curly: ['error', 'multi-line'] } },
  {
    // Tests read JSON bodies of real HTTP answers and socket acks; typing each one would only restate the assertions.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The Kafka port (libs/dual-stream/src/kafka/): library and apps reach Kafka only through it, so a driver is an
    // adapter folder, not an edit everywhere; each client library is imported by its own adapter only. Tests and
    // benches may use the client libraries directly, as independent clients that read back what the library wrote
    // (and as the raw baselines of the benches).
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['libs/dual-stream/src/kafka/kafkajs/**', 'libs/dual-stream/src/kafka/platformatic/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [kafkajsOnly, platformaticOnly], patterns: [kafkajsDeep, platformaticDeep] },
      ],
    },
  },
  {
    files: ['libs/dual-stream/src/kafka/kafkajs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [platformaticOnly], patterns: [platformaticDeep] }] },
  },
  {
    files: ['libs/dual-stream/src/kafka/platformatic/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [kafkajsOnly], patterns: [kafkajsDeep] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The dashboard's ES modules run in the browser (served as they are, no build step).
    files: ['apps/*/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
