// Scenario (c): a migration whose message is markup, <img src=x onerror=alert(1)>, is shown as the
// text it is: the page holds the characters, no img element, and no dialog ever opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoRawValues, config, openConsole, openRollout, scenario, testid, textMatches } from '../lib/console.mjs';

/** What would show that markup from the data became elements anywhere in the document. */
const injected = () => ({
  imgX: document.querySelectorAll('img[src="x"]').length,
  onerror: document.querySelectorAll('[onerror]').length,
  inMessage: document.querySelectorAll('[data-testid="rollout-message"] img').length,
});

test('a migration message holding <img src=x onerror=alert(1)> renders as text', async () => {
  const message = config.markupMessage();
  await scenario('c-markup-message-as-text', async ({ page, dialogs, errors }) => {
    await openConsole(page);
    await page.locator(testid('rollouts-list')).waitFor();
    assert.deepEqual(await page.evaluate(injected), { imgX: 0, onerror: 0, inMessage: 0 }, 'the list');

    await openRollout(page, config.markupRollout());
    const shown = await textMatches(page, testid('rollout-message'), /onerror/);
    assert.ok(shown.includes(message), `the message as text: ${JSON.stringify(shown)}`);
    assert.ok(
      (await page.locator(testid('rollout-message')).first().innerText()).includes(message),
      'the characters are what the operator reads',
    );
    assert.deepEqual(await page.evaluate(injected), { imgX: 0, onerror: 0, inMessage: 0 }, 'the rollout page');
    assert.equal(await page.locator(`${testid('rollout-message')} img`).count(), 0, 'no img element');
    await assertNoRawValues(page, 'the rollout page');
    assert.deepEqual(dialogs, [], 'no dialog fired');
    assert.deepEqual(errors, [], 'no uncaught error in the page');
  });
});
