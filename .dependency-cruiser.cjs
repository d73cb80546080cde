/**
 * The folder table of ARCHITECTURE.md as rules `npm test` checks (scripts/test.mjs runs
 * `depcruise`). A rule names what a folder may NOT import; tests (`*.test.ts(x)`) may also
 * use testing/ and node's own modules. Change the table and this file together.
 */
const TEST = '\\.test\\.tsx?$';
const OTHERS_THAN = (...allowed) =>
  `^(${['shared', 'helper', 'cli', 'server', 'shell-core', 'electron', 'renderer', 'testing', 'bench', 'e2e', 'scripts'].filter((f) => !allowed.includes(f)).join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'files that import each other in a loop: split out what both need',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-is-pure',
      severity: 'error',
      comment: 'shared/ imports nothing of the other folders (its tests may use testing/)',
      from: { path: '^shared/', pathNot: TEST },
      to: { path: OTHERS_THAN('shared') },
    },
    {
      name: 'shared-tests-stay-below',
      severity: 'error',
      comment: 'shared/ tests may use testing/, nothing else above shared',
      from: { path: `^shared/.*${TEST}` },
      to: { path: OTHERS_THAN('shared', 'testing') },
    },
    {
      name: 'shared-no-platform',
      severity: 'error',
      comment: 'shared/ runs in the renderer and the helper alike: no node:*, electron, react or other platform packages',
      from: { path: '^shared/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-only-pure-packages',
      severity: 'error',
      comment: 'shared/ may use only platform-free libraries (zod, yaml, ipaddr.js)',
      from: { path: '^shared/', pathNot: TEST },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/(zod|yaml|ipaddr\\.js)/' },
    },
    {
      name: 'renderer-only-shared',
      severity: 'error',
      comment: 'the renderer talks only to the typed Backend interface: it imports shared/, nothing else of ours',
      from: { path: '^renderer/', pathNot: TEST },
      to: { path: OTHERS_THAN('renderer', 'shared') },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      comment: 'the renderer runs in a sandboxed page: no node:* modules',
      from: { path: '^renderer/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'helper-only-shared',
      severity: 'error',
      comment: 'the privileged helper uses shared/ and nothing above it',
      from: { path: '^helper/', pathNot: TEST },
      to: { path: OTHERS_THAN('helper', 'shared') },
    },
    {
      name: 'shell-core-below-apps',
      severity: 'error',
      comment: 'the shell core (helper link, session, static files) serves electron/ and server/ alike: it uses shared/ and helper/ (its client)',
      from: { path: '^shell-core/', pathNot: TEST },
      to: { path: OTHERS_THAN('shell-core', 'shared', 'helper') },
    },
    {
      name: 'server-below-apps',
      severity: 'error',
      comment: 'browser mode uses shared/, helper/ (its client) and the shell core',
      from: { path: '^server/', pathNot: TEST },
      to: { path: OTHERS_THAN('server', 'shared', 'helper', 'shell-core') },
    },
    {
      name: 'electron-below-apps',
      severity: 'error',
      comment: 'the desktop main process uses shared/, helper/ (its client) and the shell core, not browser mode',
      from: { path: '^electron/', pathNot: TEST },
      to: { path: OTHERS_THAN('electron', 'shared', 'helper', 'shell-core') },
    },
    {
      name: 'cli-below-tests',
      severity: 'error',
      comment: 'the CLI uses shared/, helper/, the shell core and server/ (for `serve`)',
      from: { path: '^cli/', pathNot: TEST },
      to: { path: OTHERS_THAN('cli', 'shared', 'helper', 'server', 'shell-core') },
    },
    {
      name: 'cli-applies-through-entry',
      severity: 'error',
      comment: 'plan/apply/destroy have one entry for the CLI and the helper methods (the app): helper/apply/entry.ts',
      from: { path: '^cli/', pathNot: TEST },
      to: { path: '^helper/apply/', pathNot: '^helper/apply/entry[.]ts$' },
    },
    {
      name: 'product-not-test-support',
      severity: 'error',
      comment: 'product code never imports testing/, bench/ or e2e/',
      from: { path: '^(shared|helper|cli|server|shell-core|electron|renderer)/', pathNot: TEST },
      to: { path: '^(testing|bench|e2e)/' },
    },
    {
      name: 'only-benches-import-benches',
      severity: 'error',
      comment: 'bench/ holds benchmarks; what tests share with them lives in testing/',
      from: { pathNot: '^bench/' },
      to: { path: '^bench/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that resolves to nothing',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.vite|out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
