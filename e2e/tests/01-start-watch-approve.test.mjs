// Scenario (a): an operator starts a rollout from the page (the page asks for the token and keeps
// it in the tab's session storage), watches the backfill bar move, approves prod at its gate and
// sees the rollout succeed; the finished rollout keeps its real numbers after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoRawValues,
  SECONDS,
  awaitSettled,
  config,
  openConsole,
  openRollout,
  pageState,
  rolloutIds,
  scenario,
  testid,
  textMatches,
  until,
} from '../lib/console.mjs';

/** Asks for an approval gate in prod, whether the form has one text field or one per env. */
async function gateProd(page) {
  const gates = page.locator(testid('start-gates'));
  const tag = await gates.evaluate((e) => e.tagName);
  if (tag === 'INPUT' || tag === 'TEXTAREA') {
    await gates.fill('prod=approval');
    return;
  }
  const prod = gates.locator('[data-env="prod"]');
  if ((await prod.evaluate((e) => e.tagName)) === 'SELECT') {
    await prod.selectOption('approval');
  } else {
    await prod.fill('approval');
  }
}

/**
 * Watches every lane's backfill bar in the page until one of them has moved forward at least
 * twice (three increasing values of data-done), and returns what it saw; the page pushes progress
 * over server-sent events, so this only reads the DOM, as an operator's eyes would.
 */
async function watchBarMove(page) {
  const seen = await waitBars(page).catch(async (e) => {
    const bars = await page.evaluate(() => window.__e2eBars).catch(() => undefined);
    throw new Error(`no backfill bar moved forward twice in 120 s; data-done seen per lane: ${JSON.stringify(bars)} (${e.message})`);
  });
  return seen.jsonValue();
}

function waitBars(page) {
  return page.waitForFunction(
    () => {
      const seen = (window.__e2eBars ??= {});
      for (const lane of document.querySelectorAll('[data-testid="lane"]')) {
        const bar = lane.querySelector('[data-testid="backfill-bar"]');
        if (!bar || bar.getAttribute('data-done') == null) {
          continue;
        }
        const env = lane.getAttribute('data-env');
        const done = Number(bar.getAttribute('data-done'));
        const text = lane.querySelector('[data-testid="backfill-text"]')?.textContent ?? '';
        const h = (seen[env] ??= []);
        if (h.length === 0 || h[h.length - 1].done !== done) {
          h.push({ done, total: Number(bar.getAttribute('data-total')), text });
        }
      }
      for (const [env, h] of Object.entries(seen)) {
        let ups = 0;
        for (let i = 1; i < h.length; i++) {
          if (h[i].done > h[i - 1].done) {
            ups++;
          }
        }
        if (ups >= 2) {
          return { env, history: h };
        }
      }
      return false;
    },
    null,
    { polling: 50, timeout: 120 * SECONDS },
  );
}

test('an operator starts a rollout from the page, watches the backfill bar move, approves prod at its gate and sees it succeed', async () => {
  await awaitSettled();
  const before = await rolloutIds();
  await scenario('a-start-watch-approve-succeed', async ({ page, dialogs, errors }) => {
    await openConsole(page);
    await page.locator(testid('rollouts-list')).waitFor({ timeout: 30 * SECONDS });

    await page.locator(testid('start-target')).fill(config.backfillTarget());
    await page.locator(testid('start-strategy')).selectOption('per-environment');
    await gateProd(page);
    await page.locator(testid('start-submit')).click();
    const ids = await until(
      'the rollout started from the page to exist (start-error on the page: see the screenshot)',
      rolloutIds,
      (now) => [...now].some((id) => !before.has(id)),
      30 * SECONDS,
    );
    const id = [...ids].find((x) => !before.has(x));
    await openRollout(page, id);
    for (const env of ['dev', 'staging', 'prod']) {
      await page.locator(`${testid('lane')}[data-env="${env}"]`).waitFor({ timeout: 30 * SECONDS });
    }

    const moved = await watchBarMove(page);
    const last = moved.history[moved.history.length - 1];
    assert.ok(last.total >= 90_000, `the bar's total is the table's 100,000 rows: ${JSON.stringify(moved)}`);
    assert.ok(
      moved.history.some((h) => /[\d,.\s]+ of [\d,.\s]+ rows/.test(h.text)),
      `the bar says rows done of total: ${JSON.stringify(moved)}`,
    );

    const gate = page.locator(`${testid('gate-waiting')}[data-env="prod"]`);
    await gate.waitFor({ state: 'visible', timeout: 120 * SECONDS });
    assert.match(await gate.textContent(), /approv/i, 'the gate says an approval releases it');
    const approve = page.locator(testid('approve-button'));
    const forProd = page.locator(`${testid('approve-button')}[data-env="prod"]`);
    await ((await forProd.count()) > 0 ? forProd : approve).first().click();

    await textMatches(page, pageState, /succeeded/i, 120 * SECONDS);
    await until('prod\'s gate to be released', () => gate.isVisible(), (shown) => !shown);

    // Finished rollouts keep their real numbers, also after a reload (the token stays in the tab).
    const finished = async () =>
      page.locator(`${testid('lane')} ${testid('backfill-bar')}`).evaluateAll((bars) =>
        bars.map((b) => [
          b.closest('[data-testid="lane"]').getAttribute('data-env'),
          Number(b.getAttribute('data-done')),
        ]),
      );
    const expected = [
      ['dev', 100_000],
      ['staging', 100_000],
      ['prod', 100_000],
    ];
    await until('every lane to show 100,000 rows done', finished, (v) => JSON.stringify(v) === JSON.stringify(expected));
    await page.reload();
    await openRollout(page, id);
    assert.equal(await page.locator(testid('token-input')).isVisible(), false, 'no token asked again in the same tab');
    await until('the finished rollout to keep its rows after a reload', finished, (v) => JSON.stringify(v) === JSON.stringify(expected));
    await textMatches(page, pageState, /succeeded/i);
    assert.ok((await page.locator(testid('step-duration')).count()) > 0, 'step durations are shown');
    assert.ok((await page.locator(`${testid('event-log')} ${testid('event-item')}`).count()) > 0, 'the event log shows events');
    await assertNoRawValues(page, 'the finished rollout');
    assert.deepEqual(dialogs, [], 'no JavaScript dialog');
    assert.deepEqual(errors, [], 'no uncaught error in the page');
  });
});
