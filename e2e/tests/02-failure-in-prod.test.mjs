// Scenario (b): a rollout whose migration fails in prod only (a check that one prod row violates)
// shows the failed step's whole error (file, operation, statement, SQLSTATE, message) and that the
// rollout was rolled back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoRawValues,
  SECONDS,
  api,
  atRevision,
  config,
  openConsole,
  openRollout,
  pageState,
  scenario,
  testid,
  textMatches,
  until,
} from '../lib/console.mjs';

test('a rollout that fails in prod shows the step error with its SQLSTATE and message, and the rollback', async () => {
  // From the backfill's revision, whether scenario a ran or not: rolling back from an earlier head
  // would also drop the backfilled column, which Convoy refuses (it would lose data).
  await atRevision(config.backfillTarget());
  const { id } = await api('POST', '/api/rollouts', {
    target: config.failingTarget(),
    strategy: 'per-environment',
  });
  await scenario('b-failure-in-prod-rolled-back', async ({ page, dialogs, errors }) => {
    await openConsole(page);
    await openRollout(page, id);
    await textMatches(page, pageState, /rolled[ _]back/i, 150 * SECONDS);

    const error = page.locator(testid('step-error'));
    const text = await until(
      'the failed step\'s error on the page',
      async () => (await error.count()) === 0 ? null : (await error.allTextContents()).join('\n'),
      (t) => t != null && t.includes('23514'),
    );
    assert.match(text, /23514/, 'the SQLSTATE (check_violation)');
    assert.match(text, /item_qty_positive/, 'the constraint the message and statement name');
    assert.match(text, /violated/i, 'PostgreSQL\'s message');
    assert.match(text, new RegExp(config.failingTarget()), 'the migration file');
    assert.match(text, /ALTER TABLE/, 'the statement');
    const where = await error
      .filter({ hasText: '23514' })
      .first()
      .evaluate((e) => e.closest('[data-env]')?.getAttribute('data-env') ?? e.textContent);
    assert.match(where, /prod/, 'the error is prod\'s');

    const log = page.locator(`${testid('event-log')} ${testid('event-item')}`);
    await until(
      'the event log to show the failure and the rollback',
      () => log.allTextContents(),
      (items) => items.some((t) => /rollback|rolled[ _]back/i.test(t)) && items.some((t) => /fail/i.test(t)),
    );
    await assertNoRawValues(page, 'the rolled back rollout');
    assert.deepEqual(dialogs, [], 'no JavaScript dialog');
    assert.deepEqual(errors, [], 'no uncaught error in the page');
  });
});
