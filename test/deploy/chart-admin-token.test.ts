// The chart's admin token: the admin gets EY_ADMIN_TOKEN from a Secret in every configuration (it refuses to
// start without one); a random token is made when none is given and kept across upgrades through `lookup`
// of the existing Secret; a given token or the user's own Secret is used instead; NOTES.txt says how to read it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_DIR, effectiveEnv, find, helm, ofKind, onlyContainer, parseManifests, render, template, type K8sObject } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';
const TOKEN_SECRET = `${FULLNAME}-admin-token`;

function storedToken(objects: K8sObject[]): string {
  const data = find(objects, 'Secret', TOKEN_SECRET).data as { token: string };
  return Buffer.from(data.token, 'base64').toString('utf8');
}

/** A copy of the chart with `files` rewritten by `edit` (a file that does not exist yet reads as ''). */
async function chartCopy(t: TestContext, edit: (file: string, text: string) => string, files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ey-chart-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const chart = join(dir, 'eventyard');
  await cp(CHART_DIR, chart, { recursive: true });
  for (const file of files) await writeFile(join(chart, file), edit(file, await readFile(join(chart, file), 'utf8').catch(() => '')));
  return chart;
}

test('default values: a random token in the chart Secret, given to the admin only', async (t) => {
  const objects = await render(t);
  const token = storedToken(objects);
  assert.match(token, /^[A-Za-z0-9]{48}$/);
  const admin = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-admin`)), objects);
  assert.equal(admin.get('EY_ADMIN_TOKEN'), `secret:${TOKEN_SECRET}/token`);
  for (const deployment of ofKind(objects, 'Deployment').filter((d) => d.metadata.name !== `${FULLNAME}-admin`)) {
    assert.equal(effectiveEnv(onlyContainer(deployment), objects).has('EY_ADMIN_TOKEN'), false, deployment.metadata.name);
  }
  // Without a cluster `lookup` finds nothing, so a second render makes another token: the stable one
  // comes from the live Secret (next test).
  assert.notEqual(storedToken(await render(t)), token);
});

test('an upgrade keeps the token the Secret already holds (lookup of the existing Secret)', async (t) => {
  // helm template cannot reach a cluster, so this copy answers `lookup` with the Secret an install made.
  const kept = 'kept-from-the-first-install-0123';
  const installed = `(dict "data" (dict "token" ${JSON.stringify(Buffer.from(kept).toString('base64'))}))`;
  const file = 'templates/admin-token-secret.yaml';
  const chart = await chartCopy(
    t,
    (_, text) => {
      const edited = text.replace('lookup "v1" "Secret" .Release.Namespace $name', installed);
      assert.notEqual(edited, text, 'the template looks the Secret up');
      return edited;
    },
    [file],
  );
  const result = await helm(t, ['template', 'ey', chart, '--namespace', 'events']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(storedToken(parseManifests(result.stdout)), kept);
});

test('adminAuth.token is stored as given; adminAuth.existingSecret is used and no Secret is made', async (t) => {
  const given = await render(t, { set: ['adminAuth.token=given-token-0123456789'] });
  assert.equal(storedToken(given), 'given-token-0123456789');

  const existing = await render(t, { set: ['adminAuth.existingSecret=my-admin', 'adminAuth.existingSecretKey=bearer'] });
  assert.equal(ofKind(existing, 'Secret').some((s) => s.metadata.name === TOKEN_SECRET), false);
  const admin = effectiveEnv(onlyContainer(find(existing, 'Deployment', `${FULLNAME}-admin`)), existing);
  assert.equal(admin.get('EY_ADMIN_TOKEN'), 'secret:my-admin/bearer');

  const disabled = await render(t, { set: ['services.admin.enabled=false'] });
  assert.equal(ofKind(disabled, 'Secret').some((s) => s.metadata.name === TOKEN_SECRET), false);

  const short = await template(t, { set: ['adminAuth.token=short'] });
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /adminAuth\.token/);
});

test('NOTES.txt says how to read the admin token and send it', async (t) => {
  // helm template does not print NOTES.txt: a copy renders it through `tpl` into a ConfigMap.
  const chart = await chartCopy(t, () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n', ['templates/zz-notes.yaml']);
  await rename(join(chart, 'templates', 'NOTES.txt'), join(chart, 'notes.txt'));
  const notes = async (args: string[]) => {
    const result = await helm(t, ['template', 'ey', chart, '--namespace', 'events', '--show-only', 'templates/zz-notes.yaml', ...args]);
    assert.equal(result.code, 0, result.stderr);
    return (find(parseManifests(result.stdout), 'ConfigMap', 'notes').data as { notes: string }).notes;
  };
  const generated = await notes([]);
  assert.ok(generated.includes(`kubectl --namespace events get secret ${TOKEN_SECRET} -o jsonpath='{.data.token}' | base64 -d`), generated);
  assert.match(generated, /curl -H "authorization: Bearer \$EY_ADMIN_TOKEN" http:\/\/localhost:8081\/v1\/processors/);
  const own = await notes(['--set', 'adminAuth.existingSecret=my-admin', '--set', 'adminAuth.existingSecretKey=bearer']);
  assert.ok(own.includes("get secret my-admin -o jsonpath='{.data.bearer}'"), own);
});
