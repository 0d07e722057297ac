// What every browser test of the console shares: the settings the harness hands over in the
// environment, a headless Debian chromium driven by playwright-core, the token prompt, waiting with
// deadlines (never a fixed sleep) and a screenshot per test.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

/** A setting from the environment the harness (cli's ConsoleBrowserIT) sets; missing is fatal. */
function setting(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: these tests run against a coordinator the harness starts;` +
        ' run them with `bash e2e/run.sh` (or mvn verify, through cli\'s ConsoleBrowserIT)',
    );
  }
  return value;
}

export const config = {
  /** The console's address, e.g. http://127.0.0.1:41234/ */
  url: () => setting('E2E_CONSOLE_URL'),
  /** The coordinator's API token: the page asks for it, the tests type it in. */
  token: () => setting('E2E_TOKEN'),
  /** The revision whose rollout backfills 100,000 rows per environment. */
  backfillTarget: () => setting('E2E_BACKFILL_TARGET'),
  /** The revision that fails in prod only (a check that a prod row violates). */
  failingTarget: () => setting('E2E_FAILING_TARGET'),
  /** The finished rollout of the revision whose message is markup. */
  markupRollout: () => setting('E2E_MARKUP_ROLLOUT'),
  /** That message, exactly. */
  markupMessage: () => setting('E2E_MARKUP_MESSAGE'),
  screenshots: () => process.env.E2E_SCREENSHOTS || join(process.cwd(), 'target', 'e2e-screenshots'),
  chromium: () => process.env.E2E_CHROMIUM || '/usr/bin/chromium',
};

/** The deadlines: generous, for a loaded two-core machine; a pass is much faster. */
export const SECONDS = 1000;

/** The states a rollout ends in. */
export const ENDED = ['succeeded', 'failed', 'rolled_back', 'cancelled'];

/** Finds an element by its data-testid (the console's DOM contract). */
export const testid = (id) => `[data-testid="${id}"]`;

/**
 * Starts headless chromium for one test and a fresh context (its own sessionStorage), recording
 * every JavaScript dialog the page opens (none is expected: the console's own confirmation is a DOM
 * dialog) and every uncaught page error.
 */
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: config.chromium(),
    headless: true,
    // As root there is no sandbox; the machine's network is closed, so no background traffic.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const dialogs = [];
  const errors = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { browser, context, page, dialogs, errors };
}

/**
 * Runs one scenario in its own browser and saves a screenshot of where it ended, passed or
 * failed, as <screenshots>/<name>.png.
 */
export async function scenario(name, body) {
  const b = await openBrowser();
  try {
    await body(b);
  } finally {
    try {
      mkdirSync(config.screenshots(), { recursive: true });
      await b.page.screenshot({ path: join(config.screenshots(), `${name}.png`), fullPage: true });
    } finally {
      await b.browser.close();
    }
  }
}

/**
 * Polls {@code read} until {@code ok} holds of its value; past the deadline fails naming what it
 * waited for and the last value seen. The pause between tries only paces the loop.
 */
export async function until(what, read, ok, timeout = 30 * SECONDS) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (ok(last)) {
        return last;
      }
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `waited ${timeout / 1000} s for ${what}; last seen: ` +
          (lastError ? String(lastError) : JSON.stringify(last)),
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The element's text, or null while it is not on the page. */
export async function textOf(page, selector) {
  const l = page.locator(selector);
  return (await l.count()) === 0 ? null : l.first().textContent();
}

/** Waits until the element's text matches {@code re}; returns the text. */
export function textMatches(page, selector, re, timeout = 30 * SECONDS) {
  return until(`${selector} to read ${re}`, () => textOf(page, selector), (t) => t != null && re.test(t), timeout);
}

/**
 * Opens the console and answers its token prompt: a fresh tab has no token, the API answers 401 to
 * reads, and the page asks. Then checks that the token is kept in the tab's session storage only.
 */
export async function openConsole(page, hash = '') {
  await page.goto(config.url() + hash);
  const input = page.locator(testid('token-input'));
  await input.waitFor({ state: 'visible', timeout: 30 * SECONDS });
  await input.fill(config.token());
  await page.locator(testid('token-save')).click();
  await input.waitFor({ state: 'hidden', timeout: 30 * SECONDS });
  const stored = await page.evaluate(() => ({
    session: Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)),
    local: Object.keys(localStorage).map((k) => localStorage.getItem(k)),
    cookie: document.cookie,
  }));
  if (!stored.session.includes(config.token())) {
    throw new Error('the token is not kept in sessionStorage: ' + JSON.stringify(stored.session));
  }
  if (stored.local.some((v) => v.includes(config.token())) || stored.cookie.includes(config.token())) {
    throw new Error('the token leaked out of sessionStorage (localStorage or a cookie)');
  }
}

/** Calls the coordinator's API with the token, as an operator's script would. */
export async function api(method, path, body) {
  const res = await fetch(new URL(path, config.url()), {
    method,
    headers: {
      authorization: `Bearer ${config.token()}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  }
  return JSON.parse(text);
}

/**
 * Waits until no rollout is running and every environment's live agent reports the same single
 * head: the coordinator plans a rollout from the heartbeats' heads, so the next one starts from
 * where the last one ended, whichever scenario ran before.
 */
export async function awaitSettled() {
  return until(
    'no rollout running and every environment at one and the same head',
    async () => {
      const { rollouts } = await api('GET', '/api/rollouts');
      const { environments } = await api('GET', '/api/environments');
      const heads = environments.map((e) =>
        e.agents.filter((a) => a.alive).map((a) => (a.heads || []).join(',')),
      );
      return { active: rollouts.filter((r) => !ENDED.includes(r.state)).map((r) => r.id), heads };
    },
    (v) => v.active.length === 0 && v.heads.every((h) => h.length > 0 && h[0] === v.heads[0][0] && !h[0].includes(',')),
    60 * SECONDS,
  );
}

/** The rollout page's own state, not a cell of the list that may share the page. */
export const pageState = `${testid('rollout-state')}:not(${testid('rollout-row')} ${testid('rollout-state')})`;

/** Rollout ids the API knows now. */
export async function rolloutIds() {
  const { rollouts } = await api('GET', '/api/rollouts');
  return new Set(rollouts.map((r) => r.id));
}

/**
 * Shows the rollout's page: the console may have gone there by itself (after a start, or from a
 * #/rollouts/<id> address); otherwise its row in the list is clicked.
 */
export async function openRollout(page, id) {
  const row = page.locator(`${testid('rollout-row')}[data-rollout-id="${id}"]`);
  const lane = page.locator(testid('lane'));
  await lane.or(row).first().waitFor({ state: 'visible', timeout: 30 * SECONDS });
  if (!(await lane.first().isVisible()) || !page.url().includes(id)) {
    if (await row.isVisible()) {
      // "A row click or link opens the rollout page": the link when there is one.
      const link = row.locator('a');
      await ((await link.count()) > 0 ? link.first() : row).click();
    }
  }
  await lane.first().waitFor({ state: 'visible', timeout: 30 * SECONDS });
}

/**
 * Brings every environment to {@code revision} through the API unless it is there already (a
 * scenario that needs a starting point does not depend on an earlier one having passed).
 */
export async function atRevision(revision) {
  await finishLeftovers();
  const { heads } = await awaitSettled();
  if (heads.every((h) => h[0] === revision)) {
    return;
  }
  const { id } = await api('POST', '/api/rollouts', { target: revision, strategy: 'per-environment' });
  await until(
    `the rollout to ${revision} to succeed`,
    () => api('GET', `/api/rollouts/${id}`),
    (r) => ENDED.includes(r.state),
    150 * SECONDS,
  ).then((r) => assert.equal(r.state, 'succeeded', JSON.stringify(r)));
  await awaitSettled();
}

/**
 * Fails when the page shows a value the code forgot to turn into words: a line reading just
 * "null", or "undefined", "NaN" or "[object Object]" anywhere.
 */
export async function assertNoRawValues(page, where) {
  const text = await page.evaluate(() => document.body.innerText);
  const raw = text.split('\n').filter((l) => /^\s*null\s*$|\bundefined\b|\bNaN\b|\[object Object\]/.test(l));
  assert.deepEqual(raw, [], `${where}: the page shows raw values`);
}

/**
 * Lets a rollout that an earlier, failed scenario left waiting at an approval gate go on (it is
 * approved through the API in every environment) and waits for it to end, so that the scenarios
 * after it still run and report on their own.
 */
export async function finishLeftovers() {
  const { rollouts } = await api('GET', '/api/rollouts');
  for (const r of rollouts.filter((x) => !ENDED.includes(x.state))) {
    const full = await api('GET', `/api/rollouts/${r.id}`);
    for (const stage of full.stages || []) {
      await api('POST', `/api/rollouts/${r.id}/approve?env=${encodeURIComponent(stage.env)}`).catch(() => {});
    }
    await until(`rollout ${r.id}, left by an earlier scenario, to end`, () => api('GET', `/api/rollouts/${r.id}`), (x) => ENDED.includes(x.state), 150 * SECONDS);
  }
}
