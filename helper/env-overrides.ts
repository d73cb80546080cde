/**
 * The NETNS_STUDIO_* environment settings, honoured as root only when asked
 * (issue 15). They redirect where root keeps its records and forwarder state,
 * where it writes its probe cache, inject faults and delays, run the sources
 * instead of the built code, or switch readers: fine for a developer, but a root
 * process inherits its environment from whoever started it (`sudo -E`, a
 * desktop session's sudo-prompt, an env_keep rule), so as root they count only
 * with the command-line flag `--trust-env` (CLI and helper alike; a helper or
 * CLI started by a trusting root process is given it too). Not root: honoured
 * as always (nothing there to take over).
 */
export const TRUST_ENV_FLAG = '--trust-env';

/** Every setting this reads; a name outside the list is a mistake at compile time. */
export const ENV_SETTINGS = [
  'NETNS_STUDIO_STATE_DIR',
  'NETNS_STUDIO_FORWARDERS_DIR',
  'NETNS_STUDIO_PROBE_CACHE',
  'NETNS_STUDIO_TEST_FAIL_AT_STEP',
  'NETNS_STUDIO_TEST_DELAY_MS',
  'NETNS_STUDIO_FROM_SOURCE',
  'NETNS_STUDIO_DISCOVER_READER',
  'NETNS_STUDIO_NETLINK_LANES',
  'NETNS_STUDIO_DOCKER_API',
  'NETNS_STUDIO_HOST_CHUNK',
  'NETNS_STUDIO_FANOUT_CHUNK',
  'NETNS_STUDIO_DEBUG_TIMING',
  'NETNS_STUDIO_WATCH_SELFCHECK',
  'NETNS_STUDIO_TEST_HOLD_BIG_READ',
] as const;
export type EnvSetting = (typeof ENV_SETTINGS)[number];

let asked = process.argv.includes(TRUST_ENV_FLAG);

/** In-process callers that were given the flag some other way (a test process acting as the operator). */
export function trustEnvOverrides(): void {
  asked = true;
}

/** Was trust asked for explicitly (then programs we start as root are given the flag too)? */
export const envTrustAsked = (): boolean => asked;

const isRoot = (): boolean => process.getuid?.() === 0 || process.geteuid?.() === 0;

/** The setting's value, or undefined when root was not asked to trust its environment. */
export function envSetting(name: EnvSetting): string | undefined {
  if (isRoot() && !asked) return undefined;
  return process.env[name];
}

/** argv of a program we start (helper, CLI) with the flag passed on when we were asked to trust. */
export const withTrust = (argv: string[]): string[] => (asked && !argv.includes(TRUST_ENV_FLAG) ? [...argv, TRUST_ENV_FLAG] : argv);
