/**
 * A fault-injection point for the kernel tests (like NETNS_STUDIO_TEST_DELAY_MS):
 * with NETNS_STUDIO_TEST_HOLD_BIG_READ=DIR, a finished read of a big namespace
 * (./session.ts readBig) is held until DIR/release exists, and DIR/held says one
 * is being held. A test then changes a small namespace while the big read is
 * certainly in flight, and sees whether its event waits for it, with no clock.
 * Unset (always, outside tests): nothing happens.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSetting } from '../env-overrides';

const POLL_MS = 20;

export async function heldForTest(): Promise<void> {
  const dir = envSetting('NETNS_STUDIO_TEST_HOLD_BIG_READ');
  if (!dir || existsSync(join(dir, 'release'))) return;
  writeFileSync(join(dir, 'held'), '');
  while (!existsSync(join(dir, 'release'))) await new Promise((r) => setTimeout(r, POLL_MS));
}
