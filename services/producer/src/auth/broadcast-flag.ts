// The broadcast flag of a Report: gRPC metadata / HTTP header `eventyard-broadcast`, outside EvHub's
// ReportReq so EvHub clients and the wire contract stay unchanged. Only true/false/1/0 (STYLE.md's
// booleans): "yes" is a mistake to report, not to guess at.
import { invalidField } from '@eventyard/evhub';

export const BROADCAST_METADATA_KEY = 'eventyard-broadcast';

/** false when absent; throws EY_REPORT_INVALID (ret 10000) naming the metadata key on any other value. */
export function parseBroadcastFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const normalised = value.trim();
  if (normalised === 'true' || normalised === '1') return true;
  if (normalised === 'false' || normalised === '0' || normalised === '') return false;
  throw invalidField(BROADCAST_METADATA_KEY, `(metadata / header) must be true, false, 1 or 0, not ${JSON.stringify(value.slice(0, 40))}`);
}
