/**
 * The desktop app elevates only a root-owned helper (issue 15): a helper bundle
 * the user could rewrite (a copy owned by uid 65534, as in a checkout in $HOME),
 * one under a group-writable directory, one reached through a symlink into such a
 * place, or sources, are refused before any password prompt, with a message that
 * says what to do; a root-owned one is allowed and started by its real path.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { helperProgram } from '../helper/code-location';
import { createElevatedHelperLink, type SudoExec } from './elevated-helper-link';
import { NOT_INSTALLED, elevatedEntry } from './root-owned-install';

const skip = process.getuid?.() !== 0 ? 'needs root (to make files owned by another user)' : undefined;
if (skip) console.log(`# skipping root-owned install tests: ${skip}`);

const base = mkdtempSync(join(tmpdir(), 'nst-install-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** A prompt that must never appear: it records the command and cancels. */
function recordingPrompt(): { commands: string[]; exec: SudoExec } {
  const commands: string[] = [];
  return {
    commands,
    exec: (cmd, _o, cb) => {
      commands.push(cmd);
      setTimeout(() => cb(new Error('User did not grant permission.')), 1);
    },
  };
}

async function refusedBeforePrompt(entry: string): Promise<string> {
  const prompt = recordingPrompt();
  const link = createElevatedHelperLink({ appDir: '/nonexistent', launch: { entry }, exec: prompt.exec, connectTimeoutMs: 5000 });
  try {
    const s = await link.connect();
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.code, NOT_INSTALLED, JSON.stringify(s));
    assert.equal(s.canRetry, false, 'asking again changes nothing');
    assert.deepEqual(prompt.commands, [], 'no password prompt');
    assert.match(s.error!.message, /Install the app .*sudo netns-studio serve/);
    return s.error!.message;
  } finally {
    await link.close();
  }
}

describe('the elevated helper comes only from a root-owned install', { skip }, () => {
  it('refuses a helper bundle the user owns (a checkout in $HOME)', async () => {
    const dir = join(base, 'home-checkout');
    mkdirSync(dir);
    const entry = join(dir, 'helper.cjs');
    copyFileSync(helperProgram(), entry);
    chownSync(dir, 65534, 65534);
    chownSync(entry, 65534, 65534);
    assert.match(await refusedBeforePrompt(entry), /helper\.cjs is owned by uid 65534, not root/);
  });

  it('refuses one in a root-owned file under a directory others can write (files beside it run as root too)', async () => {
    const dir = join(base, 'group-writable');
    mkdirSync(dir);
    const entry = join(dir, 'helper.cjs');
    copyFileSync(helperProgram(), entry);
    chmodSync(dir, 0o775);
    assert.match(await refusedBeforePrompt(entry), /group-writable is writable by its group/);
  });

  it('refuses /tmp (world-writable on the way) and sources', async () => {
    const dir = join(base, 'root-only');
    mkdirSync(dir, { mode: 0o755 });
    const entry = join(dir, 'helper.cjs');
    copyFileSync(helperProgram(), entry);
    assert.match(await refusedBeforePrompt(entry), /\/tmp is writable by everyone/);
    assert.match(await refusedBeforePrompt(join(import.meta.dirname, '..', 'helper', 'main.ts')), /from sources/);
  });

  it('follows symlinks: judged and started by the real file', () => {
    const link = join(base, 'link-to-env');
    symlinkSync('/usr/bin/env', link);
    // the link sits under /tmp, the file it names is root's alone: allowed, by the real path
    assert.deepEqual(elevatedEntry(['/usr/bin/env'], link), { entry: '/usr/bin/env' });
    const bad = join(base, 'link-to-user-file');
    const target = join(base, 'user-file');
    copyFileSync('/usr/bin/env', target);
    chownSync(target, 65534, 65534);
    symlinkSync(target, bad);
    const r = elevatedEntry(['/usr/bin/env'], bad);
    assert.ok('refused' in r && /user-file is owned by uid 65534/.test(r.refused), JSON.stringify(r));
  });
});
