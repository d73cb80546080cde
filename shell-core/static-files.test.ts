import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveStatic } from './static-files';

describe('resolveStatic', () => {
  it('serves files under the root only', async () => {
    const base = mkdtempSync(join(tmpdir(), 'nst-static-'));
    const root = join(base, 'www');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), 'index');
    writeFileSync(join(root, 'assets', 'a.js'), 'js');
    writeFileSync(join(base, 'secret'), 'secret');
    try {
      assert.equal((await resolveStatic(root, '/'))?.body.toString(), 'index');
      assert.equal((await resolveStatic(root, '/assets/a.js'))?.type, 'text/javascript; charset=utf-8');
      for (const bad of [
        '/../secret',
        '/assets/../../secret',
        '/..%2fsecret',
        '/%2e%2e/secret',
        '/assets',
        '/nope',
        '/%zz',
        '/a%00b',
        '/.hidden',
        '//etc/passwd',
      ]) {
        assert.equal(await resolveStatic(root, bad), undefined, bad);
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
