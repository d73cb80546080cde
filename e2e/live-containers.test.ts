/**
 * The live view of a Docker host, in chromium against `serve` and the real
 * helper, with a real dockerd in the sandbox (testing/docker-daemon.ts): each
 * container is drawn under its name with its address, its veth is drawn to
 * docker0 and docker0 lists it as a member; search finds it by container name and
 * by address; the inspector shows what the kernel has; the toolbar toggle keeps
 * the named-only view; a container started meanwhile appears; adopting all brings
 * the containers in as external entries, drawn in sync in place of their boxes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dockerSkipReason, IMAGE, startDockerd } from '../testing/docker-daemon';
import { withSandbox } from '../testing/sandbox';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { loadTopology } from '../shared/yaml/load';
import { validateTopology } from '../shared/validate/validate';
import { exportText } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason() ?? dockerSkipReason();
if (skip) console.log(`skipping live containers e2e: ${skip}`);

describe('live view of containers', { skip }, () => {
  it('draws Docker containers by name with address, veth and bridge membership; search and inspector know them', { timeout: 300_000 }, async () => {
    await withSandbox('e2edock', async (sb) => {
      const d = await startDockerd(sb);
      try {
        // names unique on the machine: the helper sees every daemon's containers, and another test may run one
        const webName = `${sb.prefix}web`;
        const lateName = `${sb.prefix}late`;
        await d.dockerOk(['run', '-d', '--name', webName, IMAGE, '/bin/sleep', '600']);
        const ip = (await d.dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', webName])).trim();
        // web's veth on the host side: the port of docker0 in the sandbox host
        const veth = (await sb.inHost(['ip', '-o', 'link', 'show', 'master', 'docker0'])).stdout.match(/^\d+: ([^@:]+)/m)?.[1];
        assert.ok(veth, 'docker0 has a port');
        await withServePage(sb, async ({ page }) => {
          await page.locator(tid('live-toggle')).click();
          const web = page.locator(`[data-label="docker ${webName}"]`);
          await web.waitFor({ timeout: 20_000 });
          assert.match((await web.textContent()) ?? '', new RegExp(`docker ${webName}[\\s\\S]*eth0[\\s\\S]*${ip.replace(/\./g, '\\.')}/16`));
          const webId = (await web.getAttribute('data-testid'))!.replace(/^node-/, '');
          assert.match(webId, /^ns:inode:\d+$/);
          await page.locator(`${tid('node-br:host/docker0')} ${tid(`port-host/${veth}`)}`).waitFor();
          await page.locator(tid(`edge-veth:host/${veth}`)).waitFor({ state: 'attached' });

          // search: by container name and by its address
          await page.locator(tid('search-open')).click();
          for (const q of [webName, ip]) {
            await page.locator(tid('search-input')).fill(q);
            await page.waitForSelector(`${tid(`node-${webId}`)}.selected`, { timeout: 5000 });
          }
          await page.locator(tid('search-close')).click();

          // the inspector: what the kernel has
          await page.locator(tid(`node-${webId}`)).dispatchEvent('click');
          const details = page.locator(tid('live-details'));
          await details.waitFor();
          assert.match(
            (await details.locator(tid('live-container')).textContent()) ?? '',
            new RegExp(`docker ${webName} \\([0-9a-f]{12}\\) · bridge ${ip.replace(/\./g, '\\.')}/16`),
          );
          assert.match(
            (await details.locator(tid('live-link-eth0')).textContent()) ?? '',
            new RegExp(`up / UP · mtu 1500 · [0-9a-f:]{17}[\\s\\S]*${ip.replace(/\./g, '\\.')}/16[\\s\\S]*peer host/${veth}`),
          );
          // a container with a veth to the host is adoptable (as an external entry, below)
          await page.locator(tid('inspector-adopt')).waitFor();

          // a container started now appears; the named-only view hides containers
          await d.dockerOk(['run', '-d', '--name', lateName, IMAGE, '/bin/sleep', '600']);
          await page.locator(`[data-label="docker ${lateName}"]`).waitFor({ timeout: 10_000 });
          await page.locator(tid('live-all-namespaces')).click();
          await web.waitFor({ state: 'detached', timeout: 5000 });
          await page.locator(tid('node-br:host/docker0')).waitFor();
          await page.locator(tid('live-all-namespaces')).click();
          await web.waitFor({ timeout: 5000 });

          // adopt all: one valid document; each container with a veth comes in as an external entry (by name),
          // with its veth to docker0; the file keeps no position of an inode: box
          await page.locator(tid('live-adopt-all')).click();
          const { text } = await exportText(page, 'yaml');
          const loaded = loadTopology(text, 'adopted.yaml');
          assert.ok(loaded.ok, JSON.stringify(loaded.errors));
          assert.deepEqual(
            loaded.doc.bridges.map((x) => `${x.namespace}/${x.name}`),
            ['host/docker0'],
          );
          assert.doesNotMatch(text, /inode:/, 'no unnamed namespace in the document, its positions included');
          const externals = loaded.doc.namespaces.filter((n) => n.external).map((n) => [n.name, n.external]);
          assert.deepEqual(externals.sort(), [
            [lateName, { container: lateName }],
            [webName, { container: webName }],
          ]);
          assert.ok(
            loaded.doc.veths.some((v) => v.ends[0].name === veth && v.ends[1].namespace === webName && v.ends[1].addresses.includes(`${ip}/16`)),
            "web's veth kept, with its address",
          );
          assert.deepEqual(
            validateTopology(loaded.doc).filter((i) => i.severity === 'error'),
            [],
          );
          // the live view draws the entry in place of the inode box, in sync
          await page.locator(`${tid(`node-ns:${webName}`)}`).waitFor({ timeout: 10_000 });
          await page.keyboard.press('Escape');
          await page.locator(tid(`node-ns:${webName}`)).dispatchEvent('click');
          await page.waitForSelector(`${tid('inspector-live-status')}.in-sync`, { timeout: 10_000 });
          assert.match((await page.locator(tid('live-details')).locator(tid('live-container')).textContent()) ?? '', new RegExp(`docker ${webName}`));
          assert.equal(await page.locator(tid(`node-${webId}`)).count(), 0, 'no unmanaged twin');
        });
      } finally {
        await d.stop();
      }
    });
  });
});
