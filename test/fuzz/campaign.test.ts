// The bad-input campaign, bounded for `pnpm test` (issue #14 item 8): ~1,500 generated cases against a
// real stack. The large run is bench/fuzz/run.ts; both replay a case with its seed and index.
// EY_FUZZ_SEED and EY_FUZZ_CASES change the seed and count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, isKnownNulLoss, isLoneSurrogateLoss, runCampaign, startFuzzStack, type CaseResult } from './campaign.ts';

const SEED = Number(process.env.EY_FUZZ_SEED ?? 20261206);
const CASES = Number(process.env.EY_FUZZ_CASES ?? 1500);

function listed(results: readonly CaseResult[]): string {
  return results
    .slice(0, 20)
    .map((r) => `${r.target} ${r.generator}${r.nulFields.length > 0 ? ` (NUL in ${r.nulFields.join(',')})` : ''} case ${r.index} → ${r.outcome}${r.eventId === undefined ? '' : ` (event ${r.eventId})`} ${r.detail?.slice(0, 200) ?? ''}`)
    .join('\n');
}

test('bad-input campaign: every case is answered with a code or a clean close, nothing dies, nothing acknowledged is lost', async (t) => {
  const stack = await startFuzzStack(t);
  const result = await runCampaign(stack, { seed: SEED, count: CASES, concurrency: 12 });
  const report = formatReport(result);
  t.diagnostic(report);
  const replay = `replay with: node bench/fuzz/run.ts --seed ${SEED} --index <i>`;

  await t.test('every case ends in a coded error, a success or a clean close', () => {
    assert.equal(result.failures.length, 0, `${result.failures.length} defective outcomes (${replay}):\n${listed(result.failures)}`);
  });

  await t.test('no service or broker died, restarted or stopped answering its health check', () => {
    assert.deepEqual(result.deaths, []);
  });

  await t.test('every acknowledged event is in the delivery history', () => {
    const lost = result.missing.filter((m) => !isKnownNulLoss(m) && !isLoneSurrogateLoss(m));
    assert.equal(lost.length, 0, `${lost.length} acknowledged events never reached the history (${replay}):\n${listed(lost)}`);
  });

  // Issue #14 item 8, the known defect being fixed on another branch: a Report with a NUL in a tag,
  // source (or qua), app_id, topic_id or orderingKey is acknowledged and then dropped by the router. Once that fix
  // is merged, drop `todo` so this becomes a plain assertion.
  await t.test('acknowledged Reports with a NUL in tag/source/app_id/topic_id/orderingKey reach the history (qua too)', { todo: 'issue #14 item 8: acknowledged, then dropped by the router (fix in progress)' }, () => {
    const lost = result.missing.filter(isKnownNulLoss);
    assert.equal(lost.length, 0, `${lost.length} acknowledged NUL Reports lost (${replay}):\n${listed(lost)}`);
  });

  // Found by this campaign, reported for the producer's owners: a lone UTF-16 surrogate in an HTTP
  // Report's JSON is acknowledged, written as invalid UTF-8 and skipped by the router. Drop `todo` once
  // the producer refuses (or repairs) such strings.
  await t.test('acknowledged HTTP Reports with a lone surrogate escape reach the history', { todo: 'found by the campaign: producer acknowledges, router skips as invalid UTF-8' }, () => {
    const lost = result.missing.filter((m) => !isKnownNulLoss(m) && isLoneSurrogateLoss(m));
    assert.equal(lost.length, 0, `${lost.length} acknowledged lone-surrogate Reports lost (${replay}):\n${listed(lost)}`);
  });

  await t.test('every admin route of /openapi.json was reached by some case', () => {
    assert.deepEqual(result.adminRoutes.neverMatched, []);
  });
});
