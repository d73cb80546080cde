// ESLint (flat config, typescript-eslint), run by npm test. The recommended sets of
// ESLint and typescript-eslint plus the rules of React hooks; the few rules turned off
// below are off for a stated reason, not to hide findings. Import boundaries are
// dependency-cruiser's job (.dependency-cruiser.cjs), formatting prettier's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.vite/', 'out/', 'fixtures/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    // findings that cost nothing at run time (unused names, stale disable comments) warn, so a
    // merge of parallel work does not stop npm test on them; everything else is an error
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      // `_`-prefixed names are deliberately unused (callback positions, destructuring)
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // a `let` read by a callback before its one assignment cannot be const
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // comma sequences such as `(a.connect = v), i++` in argv loops are a deliberate idiom here,
      // and the rule cannot tell them from a forgotten call
      '@typescript-eslint/no-unused-expressions': 'off',
      // flags the initialiser of a variable that a try block assigns and a catch abandons
      'no-useless-assignment': 'off',
      // failures cross the helper protocol as {code, message}: a `cause` would not travel
      'preserve-caught-error': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'e2e/backend-page/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // tests and test support poke at untyped wire shapes on purpose
    files: ['**/*.test.ts', '**/*.test.tsx', 'testing/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
