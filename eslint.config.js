// `npm run lint`. Type-aware: the rules read TypeScript's types (one program, tsconfig.lint.json,
// which adds test/, bin/ and bench/ to what the build compiles), so they catch what syntax alone
// cannot — a promise nobody awaits, a condition the types say is always true.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Rules that flag every use of an `any` value. Right for src/, where types are the documentation;
// wrong for code whose values are untyped by nature (below).
const unsafeAny = {
  '@typescript-eslint/no-explicit-any': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default tseslint.config(
  // Build output, and the Peggy parsers the build generates from grammars/ (not ours to style).
  { ignores: ['dist/', 'coverage/', 'bench/data/', 'src/**/generated/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: './tsconfig.lint.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Unused names are errors, except the `_`-prefixed ones that say "deliberately unused".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Matching control characters is this tool's job (escaping hostile event text before it
      // reaches a terminal, checking that output has none): the rule's premise does not hold here.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read the CLI's JSON output and hostile fixtures through JSON.parse (`any`); a value of
    // the wrong shape fails the assertion that reads it, so typing each one would add casts only.
    files: ['test/**', 'src/**/*.test.ts'],
    rules: unsafeAny,
  },
  {
    // Plain JavaScript (the bin launcher, the benchmark scripts): not type-checked (checkJs is
    // off), so every parameter is `any`. The type-aware rules that do not depend on `any` (floating
    // promises, unnecessary conditions) still run.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: unsafeAny,
  },
  {
    // The HTML report's script runs in the browser that opens the report, not in Node.
    files: ['src/output/html/client.js'],
    languageOptions: { globals: globals.browser },
  },
);
