// The web console's files at /ui over real HTTP: public (no credential) while the API behind them is not,
// served with their content types, a CSP whose hash covers the generated import map, ETags (304), gzip,
// versioned immutable vendor files, a 404 for anything else; and every module the page imports is served.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CONSOLE_DIR } from '../../src/console/console-assets.ts';
import { startAdmin } from '../fixture.ts';

test('the console files', async (t) => {
  const admin = await startAdmin(t, { EY_KAFKA_BROKERS: '127.0.0.1:1' });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${admin.baseUrl}${path}`, { headers, redirect: 'manual' });

  await t.test('/ui redirects to the page; the page needs no credential, the API it calls does', async () => {
    const res = await get('/ui');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/ui/');
    const page = await get('/ui/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal((await get('/ui/index.html')).status, 200);
    assert.equal((await get('/v1/events')).status, 401);
  });

  await t.test('a strict CSP naming the import map by its hash, and the usual hardening headers', async () => {
    const page = await get('/ui/');
    const html = await page.text();
    const map = /<script type="importmap">(.*?)<\/script>/.exec(html)?.[1];
    assert.ok(map !== undefined, html);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(map).digest('base64')}'`), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    // No inline script besides the import map, no external origin anywhere.
    assert.equal(html.match(/<script(?![^>]*\bsrc=)(?![^>]*importmap)/g), null);
    assert.doesNotMatch(html, /https?:\/\//);

    // Every module is preloaded up front rather than found import by import.
    for (const module of ['/ui/app.js', '/ui/api.js', '/ui/pages/event.js']) assert.ok(html.includes(`<link rel="modulepreload" href="${module}">`), module);
    const imports = (JSON.parse(map) as { imports: Record<string, string> }).imports;
    for (const url of Object.values(imports)) assert.ok(html.includes(`<link rel="modulepreload" href="${url}">`), url);
    assert.deepEqual(Object.keys(imports).sort(), ['htm', 'preact', 'preact/hooks']);
    for (const url of Object.values(imports)) {
      assert.match(url, /^\/ui\/vendor\/(preact|htm)@\d+\.\d+\.\d+\/\w+\.mjs$/);
      const res = await get(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    }
  });

  await t.test('ETag revalidation and gzip', async () => {
    const first = await get('/ui/console.css');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'text/css; charset=utf-8');
    const body = await first.text();
    const etag = first.headers.get('etag');
    assert.ok(etag !== null);
    const again = await get('/ui/console.css', { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    // fetch decodes the gzip body itself: the text read is the file's.
    const zipped = await get('/ui/console.css', { 'accept-encoding': 'gzip' });
    assert.equal(zipped.headers.get('content-encoding'), 'gzip');
    assert.equal(zipped.headers.get('vary'), 'accept-encoding');
    assert.equal(await zipped.text(), body);
    const refused = await get('/ui/console.css', { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers.get('content-encoding'), null);
  });

  await t.test('anything else under /ui is a JSON 404, never a file of the server', async () => {
    for (const path of ['/ui/nope.js', '/ui/..%2f..%2fpackage.json', '/ui/%2E%2E%2Fsrc%2Fapp.ts', '/ui/pages/', '/ui/vendor/preact@0.0.0/preact.mjs']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { ret: { code: number; msg: string } };
      assert.match(body.ret.msg, /^no console file \/ui\//, path);
      assert.ok(res.headers.get('content-security-policy'), path);
    }
  });

  await t.test("every module the console imports is served, as are the page's own links", async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else files.push(join(dir, entry.name));
      }
    };
    walk(CONSOLE_DIR);
    const wanted = new Set<string>(['/ui/app.js', '/ui/console.css', '/ui/favicon.svg']);
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const from = relative(CONSOLE_DIR, file).split('/').slice(0, -1);
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const parts = [...from];
        for (const part of (match[1] ?? '').split('/')) {
          if (part === '..') parts.pop();
          else if (part !== '.') parts.push(part);
        }
        wanted.add(`/ui/${parts.join('/')}`);
      }
    }
    for (const path of wanted) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
  });
});
