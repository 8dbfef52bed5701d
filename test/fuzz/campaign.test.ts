// The bad-input campaign, bounded for `pnpm test` (issue #14 item 8): ~1,500 generated cases against a
// real stack. The large run is bench/fuzz/run.ts; both replay a case with its seed and index.
// EY_FUZZ_SEED and EY_FUZZ_CASES change the seed and count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, runCampaign, startFuzzStack, type CaseResult } from './campaign.ts';

const SEED = Number(process.env.EY_FUZZ_SEED ?? 20261206);
const CASES = Number(process.env.EY_FUZZ_CASES ?? 1500);

function listed(results: readonly CaseResult[]): string {
  return results
    .slice(0, 20)
    .map(
      (r) =>
        `${r.target} ${r.generator}${r.nulFields.length > 0 ? ` (NUL in ${r.nulFields.join(',')})` : ''} case ${r.index} → ${r.outcome}${r.eventId === undefined ? '' : ` (event ${r.eventId})`} ${r.detail?.slice(0, 200) ?? ''}`,
    )
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

  // Includes the two classes this campaign first found lost (issue #14 item 2): a NUL in any string of
  // a Report, and a lone surrogate escape in an HTTP Report's JSON. Both are now refused at Report.
  await t.test('every acknowledged event is in the delivery history', () => {
    assert.equal(result.missing.length, 0, `${result.missing.length} acknowledged events never reached the history (${replay}):\n${listed(result.missing)}`);
  });

  await t.test('every admin route of /openapi.json was reached by some case', () => {
    assert.deepEqual(result.adminRoutes.neverMatched, []);
  });
});
