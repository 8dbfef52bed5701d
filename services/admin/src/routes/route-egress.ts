// Save-time egress check of the addresses the admin API stores (processor `addr`, producer `tx_address`):
// a clear 400 naming the field, the address and the refused class. The services check again when they
// connect (after DNS, authoritative); this only turns a target that can never be dialled into an early error.
import { checkTargetOnSave, CoreErrors, isEventyardError, type CheckOptions, type EgressGuard } from '@eventyard/core';
import { HttpError } from '../http/api-error.ts';

/** Throws HttpError 400 EY_EGRESS_REFUSED (`<field>: egress refused: ...`) when the guard refuses `addr`. */
export async function assertSavableTarget(
  guard: EgressGuard,
  field: string,
  addr: string,
  transport: 'grpc' | 'http',
  options: CheckOptions = {},
): Promise<void> {
  if (addr.trim() === '') return;
  try {
    await checkTargetOnSave(guard, addr, transport, options);
  } catch (err) {
    if (isEventyardError(err) && err.code === CoreErrors.EY_EGRESS_REFUSED.code) throw new HttpError(CoreErrors.EY_EGRESS_REFUSED, `${field}: ${err.message}`);
    if (isEventyardError(err) && err.code === CoreErrors.EY_EGRESS_INVALID_TARGET.code)
      throw new HttpError(CoreErrors.EY_EGRESS_INVALID_TARGET, `${field}: ${err.message}`);
    throw err;
  }
}
