/**
 * The inspector's policy routing, in Debian's chromium, by mouse and keyboard
 * only: name a namespace's tables, add, edit and remove policy rules (IPv4 and
 * IPv6, lookup, fwmark with mask, blackhole), put routes into named tables and
 * see them grouped per table; refused input shows its message and is not taken.
 * Starting from scenario 07 without its policy routing, the exported YAML must be
 * scenario 07's edge router again: its rules, tables and per-uplink routes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';
import { clickNode, openText } from '../testing/canvas-ui';
import { loadTopology } from '../shared/yaml/load';
import { validateTopology } from '../shared/validate/validate';
import { exportYaml } from '../shared/export/yaml';
import type { Topology } from '../shared/model/schema';

const missing = chromiumMissing();
if (missing) console.log(`skipping the policy routing UI test: ${missing}`);

const scenario07 = () => {
  const r = loadTopology(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'scenarios', '07-policy-routing', 'topology.yaml'), 'utf8'));
  assert.ok(r.ok);
  return r.doc;
};
/** Scenario 07 before its policy routing: the edge router without tables, rules or routes in its uplinks' tables. */
const withoutPolicy = (doc: Topology): Topology => ({
  ...doc,
  namespaces: doc.namespaces.map((n) =>
    n.name === 'edge' ? { ...n, tables: undefined, rules: undefined, routes: n.routes.filter((r) => r.table === undefined) } : n,
  ),
});

test('inspector: table names, policy rules and routes per table, edited by mouse and keyboard', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'none', consoleErrors: true }, async (page, problems) => {
    const tid = (id: string) => page.locator(`[data-testid="${id}"]`);
    /** click into a field, replace its text by typing, commit with Enter */
    const type = async (field: string, value: string) => {
      await tid(`inspector-${field}`).click();
      await page.keyboard.press('Control+a');
      await page.keyboard.type(value);
      await page.keyboard.press('Enter');
    };
    /** the field shows `want` (its text follows the document one render later: waited for, bounded, then asserted) */
    const shows = async (field: string, want: string, what?: string) => {
      const sel = `[data-testid="inspector-${field}"]`;
      await page
        .waitForFunction(([s, w]) => (document.querySelector(s) as HTMLInputElement | null)?.value === w, [sel, want] as const, { timeout: 5000 })
        .catch(() => {});
      assert.equal(await tid(`inspector-${field}`).inputValue(), want, what);
    };
    /** typed text the field refuses: its message shows, Escape brings the saved value back */
    const refused = async (field: string, value: string, message: RegExp) => {
      const before = await tid(`inspector-${field}`).inputValue();
      await type(field, value);
      const error = page.locator('.field', { has: tid(`inspector-${field}`) }).locator('[data-testid="inspector-error"]');
      assert.match((await error.textContent()) ?? '', message);
      await page.keyboard.press('Escape');
      await shows(field, before);
      assert.equal(await error.count(), 0);
    };
    /** a <select>: picked from its list as a click would */
    const choose = (field: string, option: string) => tid(`inspector-${field}`).selectOption(option);
    const rows = () => page.locator('li[data-testid^="inspector-rule-"]');
    const ruleRow = (i: number) => tid(`inspector-rule-${i}`);

    const start = exportYaml(withoutPolicy(scenario07()));
    assert.doesNotMatch(start, /rules:|tables:|uplink\d/);
    await openText(page, '07-before.yaml', start);
    await clickNode(page, 'ns:edge');
    await tid('inspector-tables').waitFor();

    await refused('tables', 'uplink1=abc', /write NAME=NUMBER/);
    await type('tables', 'uplink2=102, uplink1=101');

    // rule 1: from lan1's subnet through uplink 1's table
    await tid('inspector-rule-add').click();
    await ruleRow(0).waitFor();
    await shows('rule-priority', '100');
    await type('rule-from', '10.71.1.0/24');
    await refused('rule-table', 'uplink3', /not a table number or a name of this namespace \(main, local, default, uplink\d, uplink\d\)/);
    await type('rule-table', 'uplink1');
    assert.match((await ruleRow(0).textContent()) ?? '', /100: from 10\.71\.1\.0\/24 lookup uplink1/);

    // rule 2: lan2, priority typed over
    await tid('inspector-rule-add').click();
    await type('rule-priority', '110');
    await refused('rule-from', '10.71.2.300/24', /not an address or prefix/);
    await type('rule-from', '10.71.2.0/24');
    await type('rule-table', 'uplink2');

    // rule 3: marked traffic, mask and all
    await tid('inspector-rule-add').click();
    await type('rule-priority', '90');
    await refused('rule-fwmark', 'mark2', /not a mark/);
    await type('rule-fwmark', '0x2');
    await type('rule-fwmask', '0xff');
    await type('rule-table', 'uplink2');

    // rule 4: blackhole: no table to look up, so no table field
    await tid('inspector-rule-add').click();
    await type('rule-priority', '80');
    await type('rule-to', '10.71.66.0/24');
    await choose('rule-action', 'blackhole');
    assert.equal(await tid('inspector-rule-table').count(), 0, 'a blackhole rule has no table');

    // rules 5, 6: IPv6 sources
    for (const [prio, from, table] of [
      ['100', '2001:db8:71:1::/64', 'uplink1'],
      ['110', '2001:db8:71:2::/64', 'uplink2'],
    ]) {
      await tid('inspector-rule-add').click();
      await type('rule-priority', prio);
      await type('rule-from', from);
      await type('rule-table', table);
    }

    // one too many: added, edited, then removed by selecting it in the list
    await tid('inspector-rule-add').click();
    await type('rule-iif', 'e-l9');
    assert.equal(await rows().filter({ hasText: 'iif e-l9' }).count(), 1);
    await ruleRow(1).click();
    await shows('rule-priority', '110', 'clicking a row selects that rule');
    await rows().filter({ hasText: 'iif e-l9' }).click();
    await tid('inspector-rule-remove').click();
    assert.equal(await rows().count(), 6);
    assert.equal(await rows().filter({ hasText: 'e-l9' }).count(), 0);

    // routes, each in its uplink's table: the list groups them per table
    for (const [via, table] of [
      ['10.71.101.1', 'uplink1'],
      ['10.71.102.1', 'uplink2'],
      ['2001:db8:71:101::1', 'uplink1'],
      ['2001:db8:71:102::1', 'uplink2'],
    ]) {
      await tid('inspector-route-add').click();
      await type('route-to', 'default');
      await type('route-via', via);
      await type('route-table', table);
    }
    await tid('inspector-route-table-uplink1').waitFor();
    await tid('inspector-route-table-uplink2').waitFor();
    const groups = await page.locator('li.group[data-testid^="inspector-route-table-"]').allTextContents();
    assert.deepEqual(groups, ['table main', 'table uplink1', 'table uplink2']);
    // a route put on-link by the checkbox, then taken off again
    await tid('inspector-route-onlink').click();
    assert.equal(await tid('inspector-route-onlink').isChecked(), true);
    await tid('inspector-route-onlink').click();

    // undo walks back through those edits (on-link off, on-link on, the last route's table); redo forward again.
    // Undo and redo clear the selection, so the namespace and its last route are picked again each time.
    const lastRoute = async (step: 'undo' | 'redo') => {
      await tid(step).click();
      // undo clears the selection, and the canvas may draw the namespaces in its overview by now
      // (no node in the DOM): find edge by name, as a person would with Ctrl+F
      await page.keyboard.press('Control+f');
      await tid('search-input').fill('edge');
      await tid('search-input').press('Enter');
      await tid('search-close').click();
      await tid('inspector-route-add').waitFor();
      await tid('inspector-route-4').click();
    };
    await lastRoute('undo');
    assert.equal(await tid('inspector-route-onlink').isChecked(), true);
    await lastRoute('undo');
    assert.equal(await tid('inspector-route-onlink').isChecked(), false);
    await lastRoute('undo');
    await shows('route-table', '', 'the last route back in main');
    for (let i = 0; i < 3; i++) await lastRoute('redo');
    await shows('route-table', 'uplink2');
    assert.equal(await tid('inspector-route-onlink').isChecked(), false);

    const [dl] = await Promise.all([page.waitForEvent('download'), tid('export-yaml').click()]);
    const loaded = loadTopology(readFileSync((await dl.path())!, 'utf8'));
    assert.ok(loaded.ok, JSON.stringify(loaded.errors));
    assert.deepEqual(
      validateTopology(loaded.doc).filter((i) => i.severity === 'error'),
      [],
    );
    const edge = loaded.doc.namespaces.find((n) => n.name === 'edge')!;
    const want = scenario07().namespaces.find((n) => n.name === 'edge')!;
    // (the export writes rules and routes in canonical order; the file has its own)
    const sorted = (xs: unknown[] | undefined) => (xs ?? []).map((x) => JSON.stringify(x)).sort();
    assert.deepEqual(edge.tables, want.tables);
    assert.deepEqual(sorted(edge.rules), sorted(want.rules));
    assert.deepEqual(sorted(edge.routes), sorted(want.routes));
    const others = (d: Topology) => sorted(d.namespaces.filter((n) => n.name !== 'edge'));
    assert.deepEqual(others(loaded.doc), others(scenario07()), 'nothing else changed');
    assert.deepEqual(problems, []);
  });
});
