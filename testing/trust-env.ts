/**
 * Test processes are the operator: they point the helper at their own state dirs
 * and inject faults through NETNS_STUDIO_* variables, which root honours only when
 * asked (helper/env-overrides.ts). Imported (for this effect) by the sandbox, the
 * CLI runner and the apply fixtures, so every kernel test asks; helpers and CLIs
 * started through helper/launch.ts then get `--trust-env` too. `TRUSTED_CLI`
 * is the flag for a CLI a test spawns itself.
 */
import { TRUST_ENV_FLAG, trustEnvOverrides } from '../helper/env-overrides';

trustEnvOverrides();
export const TRUSTED_CLI = TRUST_ENV_FLAG;
