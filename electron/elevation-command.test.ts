import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { elevationCommand, shellQuote } from './elevation-command';

/** What @vscode/sudo-prompt does with our string on Linux (pkexec replaced by nothing). */
function runLikeSudoPrompt(cmd: string) {
  const escaped = cmd.replace(/"/g, '\\"');
  return spawnSync('/bin/sh', ['-c', `/bin/bash -c "echo SUDOPROMPT; ${escaped}"`], { encoding: 'utf8' });
}

describe('elevation command (the one shell string sudo-prompt accepts)', () => {
  it("survives sudo-prompt's double wrapping as exactly our argv", () => {
    const args = ['/opt/Netns Studio/netns-studio', '/tmp/netns-studio-a1b2/helper.sock', '--connect=x,y', 'a@b:c%d+e'];
    const r = runLikeSudoPrompt(elevationCommand(['printf', '%s=', ...args]));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `SUDOPROMPT\n${args.join('=')}=`);
  });

  it('refuses arguments the outer shell would still interpret', () => {
    for (const bad of ['$(touch /tmp/pwned)', '`id`', 'a\\b', 'say "hi"', "it's", 'a;b', 'new\nline', 'x\0y', '$HOME']) {
      assert.throws(() => elevationCommand(['/bin/true', bad]), /special characters/, JSON.stringify(bad));
    }
  });

  it('shellQuote keeps any argument literal for one shell', () => {
    const nasty = ["it's", '$(x)', '`id`', 'a;b', 'new\nline', '"q"', '\\', ''];
    const r = spawnSync('/bin/sh', ['-c', ['printf', '%s\\0', ...nasty].map(shellQuote).join(' ')], { encoding: 'utf8' });
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), nasty);
    assert.throws(() => shellQuote('a\0b'));
  });
});
