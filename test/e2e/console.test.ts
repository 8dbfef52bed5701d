// The web console (/ui on admin) in a real headless Chromium over a real stack: sign in through the
// URL fragment `eventyard dev` prints, search events and open one to see its attempts, pause and resume a
// processor, and redrive dead deliveries and watch them succeed. Every step asserts on the page and saves
// a screenshot under the test's temp dir (kept when the test fails or EY_KEEP_SCREENSHOTS=1; the path is printed).
// Chromium is Debian's (`apt-get install chromium`, which .ci/run does); without it the test skips,
// except in CI, where it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createReportClient, startDispatchServer } from '@eventyard/sdk';
import { REPO_ROOT } from '@eventyard/cli/stack';
import { E2E_ADMIN_TOKEN, adminCall as admin, startStack, waitForRouterProcessors, waitUntil } from './stack.ts';

const CHROMIUM = process.env.EY_CHROMIUM ?? '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);

test(
  'the console: search, event attempts, pause/resume, redrive',
  { skip: missing && process.env.CI === undefined ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false },
  async (t) => {
    assert.ok(!missing, `no Chromium at ${CHROMIUM}: CI installs it (.ci/run)`);
    const shots = await mkdtemp(join(tmpdir(), 'ey-console-'));
    let passed = false;
    t.after(async () => {
      if (passed && process.env.EY_KEEP_SCREENSHOTS !== '1') await rm(shots, { recursive: true, force: true });
      else console.log(`console screenshots kept in ${shots}`);
    });

    const stack = await startStack(t);
    let healthy = false;
    // One Dispatch server per processor (a DispatchReq does not say which processor it is for).
    const ledgerServer = await startDispatchServer({
      port: 0,
      host: '127.0.0.1',
      handler: async () =>
        healthy
          ? { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) }
          : { ret: { code: 500, msg: 'ledger down for maintenance' }, pass_back: Buffer.alloc(0) },
    });
    t.after(() => ledgerServer.close());
    const mailServer = await startDispatchServer({
      port: 0,
      host: '127.0.0.1',
      handler: async () => ({ ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) }),
    });
    t.after(() => mailServer.close());
    for (const [id, port] of [
      ['console-ledger', ledgerServer.port],
      ['console-mail', mailServer.port],
    ] as const) {
      const saved = await admin(stack, 'POST', '/v1/processor', {
        processor_conf_info: {
          dispatcher_id: id,
          app_id: 'shop',
          topic_id: 'orders',
          protocol_type: 'grpcSend',
          addr: `127.0.0.1:${port}`,
          timeout: 2000,
          retry_strategy: { retry_count: 2, retry_interval: 300 },
        },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
    }
    await waitForRouterProcessors(stack, 2);
    const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
    t.after(() => client.close());
    const rsp = await client.report({ event: { app_id: 'shop', topic_id: 'orders', data: Buffer.from('{"order":1042,"total":"19.90"}') } });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    const eventId = rsp.event_id;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    t.after(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 404/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
    const shot = async (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const base = `http://127.0.0.1:${stack.port('admin', 'http')}`;

    await t.test('signs in from the URL fragment, which leaves the address bar at once', async () => {
      await page.goto(`${base}/ui/#token=${E2E_ADMIN_TOKEN}`);
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      assert.ok(!page.url().includes(E2E_ADMIN_TOKEN), page.url());
      assert.equal(await page.evaluate(() => sessionStorage.length), 1);
    });

    await t.test('search → open an event → see its attempts', async () => {
      await page.getByLabel('App id').fill('shop');
      // A live refresh while someone types must not put the field back (it did once: a controlled input).
      const other = await client.report({ event: { app_id: 'shop', topic_id: 'refunds', data: Buffer.from('{}') } });
      await page.getByRole('link', { name: other.event_id }).waitFor();
      assert.equal(await page.getByLabel('App id').inputValue(), 'shop', 'typed text survives a live refresh');
      await page.getByLabel('Topic id').fill('orders');
      await page.getByRole('button', { name: 'Search' }).click();
      const link = page.getByRole('link', { name: eventId });
      await link.waitFor();
      assert.match(page.url(), /#\/events\?app_id=shop&topic_id=orders/);
      await shot('01-search');
      await link.click();
      await page.getByRole('heading', { name: eventId }).waitFor();
      const ledger = page.locator('section[data-dispatcher="console-ledger"]');
      const mail = page.locator('section[data-dispatcher="console-mail"]');
      // The page follows the event (watch stream, or polling on an admin without one) until it is final.
      await ledger.locator('.badge', { hasText: 'dead' }).waitFor({ timeout: 60_000 });
      await mail.locator('.badge', { hasText: 'succeeded' }).first().waitFor();
      assert.equal(await ledger.locator('table.attempts tbody tr').count(), 2);
      assert.match((await ledger.locator('table.attempts tbody tr').first().textContent()) ?? '', /failure/);
      assert.match((await ledger.textContent()) ?? '', /ledger down for maintenance/);
      assert.equal(await ledger.locator('svg[role="img"] rect').count(), 2, 'one timeline bar per attempt');
      assert.match((await page.locator('pre').first().textContent()) ?? '', /"order": 1042/);
      await shot('02-event');
    });

    await t.test('pause and resume a processor', async () => {
      await page.getByRole('link', { name: 'Processors' }).click();
      const row = page.locator('tr[data-processor="console-ledger"]');
      await row.waitFor();
      await row.locator('.state .badge', { hasText: 'active' }).waitFor();
      await row.getByRole('button', { name: 'Pause console-ledger' }).click();
      await row.locator('.state .badge', { hasText: 'paused' }).waitFor();
      assert.equal(((await admin(stack, 'GET', '/v1/processor/console-ledger')).body.processor_conf_info as { paused: boolean }).paused, true);
      await shot('03-paused');
      await row.getByRole('button', { name: 'Resume console-ledger' }).click();
      await row.locator('.state .badge', { hasText: 'active' }).waitFor();
      assert.equal(((await admin(stack, 'GET', '/v1/processor/console-ledger')).body.processor_conf_info as { paused: boolean }).paused, false);
      // The other processor was never touched, and its endpoint is healthy (its circuit breaker closed).
      await page.locator('tr[data-processor="console-mail"] .state .badge', { hasText: 'active' }).waitFor();
      await page.locator('tr[data-processor="console-mail"] .badge', { hasText: 'closed' }).waitFor();
    });

    await t.test('redrive dead deliveries and watch them succeed', async () => {
      await page.getByRole('link', { name: 'Dead letters' }).click();
      const dead = page.locator(`tr[data-event="${eventId}"]`);
      await dead.waitFor();
      assert.match((await dead.textContent()) ?? '', /console-ledger/);
      await shot('04-dead');
      healthy = true;
      await page.getByRole('button', { name: 'Redrive dead deliveries of console-ledger' }).click();
      await page.locator('.toast', { hasText: /accepted for 1 event/ }).waitFor();
      // The dead letter leaves the list by itself once the redriven delivery is no longer dead.
      await dead.waitFor({ state: 'detached', timeout: 60_000 });
      await page.getByRole('link', { name: 'Replays' }).click();
      await page.locator('tr[data-replay] .badge', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
      await shot('05-replays');
      await page.goto(`${base}/ui/#/events/${eventId}`);
      const ledger = page.locator('section[data-dispatcher="console-ledger"]');
      await ledger.locator('.badge', { hasText: 'succeeded' }).first().waitFor({ timeout: 60_000 });
      const attempts = ledger.locator('table.attempts tbody tr');
      await waitUntil(async () => (await attempts.count()) === 3, 30_000, 'three attempts shown');
      assert.match((await attempts.nth(2).textContent()) ?? '', /manual.*success/);
      await shot('06-redriven');
    });

    await t.test('a processor page draws its charts and replays its events', async () => {
      await page.goto(`${base}/ui/#/processors/console-ledger?window=15m`);
      await page.getByRole('heading', { name: 'console-ledger' }).waitFor();
      await page.getByRole('img', { name: /Attempts per bucket: 3 in all, 2 failed/ }).waitFor();
      await page.getByRole('img', { name: /latency/i }).waitFor();
      await shot('07-processor');
      // `EY_CONSOLE_SCREENSHOT=1` refreshes the README's picture from this run (before the replay below,
      // so the event shows the redrive as its last attempt).
      if (process.env.EY_CONSOLE_SCREENSHOT === '1') {
        await saveReadmeShot(page, eventId, base);
        await page.goto(`${base}/ui/#/processors/console-ledger?window=15m`);
        await page.getByRole('heading', { name: 'console-ledger' }).waitFor();
      }
      // Replay its events of the last 15 minutes: a job that the Replays page then shows done.
      await page.getByRole('button', { name: 'Replay…' }).click();
      await page.getByLabel('Events created in the last').selectOption('15m');
      // The redrive's toast of the step before may still be showing: wait for one more.
      const accepted = page.locator('.toast', { hasText: /accepted for 1 event/ });
      const before = await accepted.count();
      await page.getByRole('button', { name: 'Start replay' }).click();
      await waitUntil(async () => (await accepted.count()) > before, 30_000, 'the replay accepted toast');
      await page.getByRole('link', { name: 'Replays' }).click();
      await waitUntil(
        async () => (await page.locator('tr[data-replay] .badge', { hasText: 'succeeded' }).count()) === 2,
        60_000,
        'both replay jobs shown done',
      );
    });

    await t.test('API keys: create one (its secret shown once), sign in with it, its permissions hold, revoke it', async () => {
      await page.goto(`${base}/ui/#/keys`);
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      await page.getByLabel('Name').fill('console reader');
      await page.getByLabel(/App ids/).fill('*');
      await page.getByLabel('events:read').check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = (await page.locator('code.secret').textContent()) ?? '';
      assert.match(secret, /^eyk_/);
      const id = (await page.locator('.notice strong').textContent())?.match(/Key (\w+) created/)?.[1] ?? '';
      await page.locator(`tr[data-key="${id}"]`).waitFor();
      await shot('08-keys');

      // A reader can look but not act: the console shows the API's 403.
      const reader = await context.newPage();
      reader.on('dialog', (dialog) => void dialog.accept());
      await reader.goto(`${base}/ui/#token=${encodeURIComponent(secret)}`);
      await reader.getByRole('heading', { name: 'Events' }).waitFor();
      await reader.goto(`${base}/ui/#/processors`);
      await reader.getByRole('button', { name: 'Pause console-mail' }).click();
      await reader.locator('.toast.bad', { hasText: /lacks the "config:write" permission/ }).waitFor();
      await reader.close();

      await page
        .locator(`tr[data-key="${id}"]`)
        .getByRole('button', { name: `Revoke key ${id}` })
        .click();
      await page.locator(`tr[data-key="${id}"]`).waitFor({ state: 'detached' });
      const keys = await admin(stack, 'GET', '/v1/api-keys?include_revoked=true');
      assert.ok((keys.body.api_keys as Array<{ id: string; revoked_at: string | null }>).find((k) => k.id === id)?.revoked_at);
    });

    await t.test('live updates: the watch stream is read through fetch, and resumed with Last-Event-ID', async () => {
      // This admin may have no /v1/watch yet (the pages then poll): the stream is answered here, in the
      // format the admin's watch routes send, to check the console's reading of it.
      const seen: Array<string | undefined> = [];
      let calls = 0;
      await page.route('**/v1/watch?*', async (route) => {
        calls++;
        seen.push(route.request().headers()['last-event-id']);
        const status = (id: number) =>
          `id: ${id}\nevent: status\ndata: ${JSON.stringify({ v: 1, kind: 'delivery', event_id: eventId, app_id: 'shop', topic_id: 'orders', dispatcher_id: 'console-ledger', status: 'succeeded', attempt: 3, at: new Date().toISOString(), final: true })}\n\n`;
        await route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          body: `: hello\n\n${status(calls * 10 + 1)}${status(calls * 10 + 2)}`,
        });
      });
      // From a page that watches nothing, so that one stream is followed.
      await page.goto(`${base}/ui/#/keys`);
      await page.getByRole('heading', { name: 'API keys' }).waitFor();
      await page.goto(`${base}/ui/#/events?app_id=shop`);
      await page.locator('.live.on', { hasText: 'Live' }).waitFor();
      await waitUntil(() => calls >= 2, 30_000, 'the console to reconnect');
      assert.equal(seen[0], undefined);
      assert.equal(seen[1], '12', 'resumed after the last id it read');
      await page.unroute('**/v1/watch?*');
    });

    await t.test('a change made while the live stream is still opening shows without a reload', async () => {
      // A stream starts where the admin's feed is when it opens: a change after the page's first read and
      // before then is in neither, so the page reads once more when its stream opens. The stream is held
      // here until the change is in the history and read by the feed.
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/v1/watch?*', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${base}/ui/#/events?app_id=shop&topic_id=late`);
      await page.getByText('No events match.').waitFor();
      const late = await client.report({ event: { app_id: 'shop', topic_id: 'late', data: Buffer.from('{}') } });
      const stored = async () => ((await admin(stack, 'GET', '/v1/events?app_id=shop&topic_id=late')).body.events as unknown[]).length === 1;
      await waitUntil(stored, 30_000, 'the late event in the history');
      // The feed reads its status change within one fetch wait (500 ms).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      release();
      await page.locator('.live.on', { hasText: 'Live' }).waitFor();
      await page.getByRole('link', { name: late.event_id }).waitFor({ timeout: 10_000 });
      await page.unroute('**/v1/watch?*');
    });

    await t.test('keyboard: a skip link first, then the navigation; focus is visible', async () => {
      await page.goto(`${base}/ui/#/events`);
      await page.reload();
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.locator(':focus').textContent(), 'Skip to content');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await page.locator(':focus').textContent(), 'Processors');
      // (Strings: this project's TypeScript has no DOM types; the browser evaluates them.)
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
      assert.notEqual(outline, 'none');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Processors' }).waitFor();
    });

    await t.test('dark mode follows the system', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${base}/ui/#/events/${eventId}`);
      await page.locator('section[data-dispatcher="console-ledger"] table.attempts').waitFor();
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      assert.equal(background, 'rgb(13, 16, 21)');
      await shot('09-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await t.test('a wrong credential is sent back to sign-in', async () => {
      const other = await context.newPage();
      await other.goto(`${base}/ui/#token=not-the-token`);
      await other.getByRole('heading', { name: 'Sign in' }).waitFor();
      await other.getByLabel('Admin token or API key').fill(E2E_ADMIN_TOKEN);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('heading', { name: 'Events' }).waitFor();
      await other.close();
    });

    assert.deepEqual(problems, []);
    passed = true;
  },
);

async function saveReadmeShot(page: Page, eventId: string, base: string): Promise<void> {
  // A fresh load: no toast or hover left over from the steps before.
  await page.goto(`${base}/ui/#/events/${eventId}`);
  await page.reload();
  await page.mouse.move(0, 0);
  await page.locator('section[data-dispatcher="console-ledger"] table.attempts tbody tr').nth(2).waitFor();
  const file = join(tmpdir(), `ey-console-readme-${process.pid}.png`);
  await page.screenshot({ path: file, fullPage: false });
  await copyFile(file, join(REPO_ROOT, 'docs/console.png'));
  await rm(file, { force: true });
}
