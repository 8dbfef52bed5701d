// Node-id leases: each running instance holds one of the 1024 node ids that make its event ids unique
// (packages/core/src/ids.ts). Claims, renewals and expiry all use the database clock, so instances with
// skewed clocks still agree on who holds what.
import { randomUUID } from 'node:crypto';
import { EventyardError, silentLogger, type Logger } from '@eventyard/core';
import type { Knex } from 'knex';
import { DbErrors } from './error-codes.ts';

export interface NodeIdLeaseOptions {
  /** Who holds the lease (host/pid/service), for operators reading the table. */
  owner: string;
  /** Lease lifetime; renewed every ttl/3 by startNodeIdLease. */
  ttlMs: number;
}

export interface NodeIdLease {
  readonly nodeId: number;
  /** Extends the lease by ttl; throws EY_NODE_ID_LEASE_LOST when another instance took the id. */
  renew(): Promise<void>;
  /** Frees the id at once (idempotent). */
  release(): Promise<void>;
}

const CLAIM_RETRIES = 5;

/**
 * Claims a free or expired node id in one statement. The longest-expired id is taken first, so an id
 * whose previous holder just died is reused last (its ids were issued most recently).
 */
export async function acquireNodeId(knex: Knex, options: NodeIdLeaseOptions): Promise<NodeIdLease> {
  assertTtl(options.ttlMs);
  const token = randomUUID();
  for (let attempt = 0; attempt < CLAIM_RETRIES; attempt += 1) {
    // FOR UPDATE re-checks expires_at on a row another claimer just took and then drops it, which can
    // leave the LIMIT 1 empty although other ids are free: hence the retry.
    const result = await knex.raw<{ rows: Array<{ node_id: number }> }>(
      `UPDATE node_id_leases
          SET owner = ?, token = ?, acquired_at = now(),
              expires_at = now() + make_interval(secs => ? / 1000.0)
        WHERE node_id = (SELECT node_id FROM node_id_leases
                          WHERE expires_at < now()
                          ORDER BY expires_at, node_id
                          LIMIT 1
                          FOR UPDATE SKIP LOCKED)
        RETURNING node_id`,
      [options.owner, token, options.ttlMs],
    );
    const row = result.rows[0];
    if (row !== undefined) return createLease(knex, row.node_id, token, options.ttlMs);
    const free = await knex('node_id_leases').where('expires_at', '<', knex.fn.now()).count<Array<{ count: string }>>('* as count');
    if (Number(free[0]?.count ?? 0) === 0) break;
  }
  throw new EventyardError(DbErrors.EY_NODE_ID_EXHAUSTED, 'no free node id: all 1024 node-id leases are held by live instances', {
    context: { owner: options.owner },
  });
}

function createLease(knex: Knex, nodeId: number, token: string, ttlMs: number): NodeIdLease {
  return {
    nodeId,
    async renew(): Promise<void> {
      // Matching on the token alone is safe even past expiry: nobody else claimed the id meanwhile.
      const updated = await knex('node_id_leases')
        .where({ node_id: nodeId, token })
        .update({ expires_at: knex.raw('now() + make_interval(secs => ? / 1000.0)', [ttlMs]) });
      if (updated === 0) {
        throw new EventyardError(DbErrors.EY_NODE_ID_LEASE_LOST, `node id ${nodeId} was taken over by another instance`, { context: { nodeId } });
      }
    },
    async release(): Promise<void> {
      await knex('node_id_leases')
        .where({ node_id: nodeId, token })
        .update({ owner: null, token: null, acquired_at: null, expires_at: knex.raw("'-infinity'::timestamptz") });
    },
  };
}

export interface StartNodeIdLeaseOptions extends NodeIdLeaseOptions {
  /**
   * Called once when the lease cannot be kept: another instance took the id, or no renewal succeeded
   * within ttl (the database was unreachable). The caller must stop issuing ids with this node id.
   */
  onLost: (err: Error) => void;
  /** @default silent */
  logger?: Logger;
}

export interface RunningNodeIdLease {
  readonly nodeId: number;
  /** Stops renewing and releases the id. Idempotent. */
  close(): Promise<void>;
}

/** Acquires a node id and keeps it renewed every ttl/3 until close(). */
export async function startNodeIdLease(knex: Knex, options: StartNodeIdLeaseOptions): Promise<RunningNodeIdLease> {
  const log = (options.logger ?? silentLogger()).child({ component: 'node-id-lease' });
  // Measured from before the claim's round trip, so local expiry is never later than the database's.
  const claimStartedAt = performance.now();
  const lease = await acquireNodeId(knex, options);
  let validUntil = claimStartedAt + options.ttlMs;
  let state: 'running' | 'lost' | 'closed' = 'running';
  let inFlight: Promise<void> | undefined;
  log.info({ nodeId: lease.nodeId, owner: options.owner }, 'node id leased');

  const lose = (err: Error): void => {
    if (state !== 'running') return;
    state = 'lost';
    clearInterval(timer);
    log.error({ err, nodeId: lease.nodeId }, 'node id lease lost');
    options.onLost(err);
  };
  const renewOnce = async (): Promise<void> => {
    const sentAt = performance.now();
    try {
      await lease.renew();
      if (state === 'running') validUntil = sentAt + options.ttlMs;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if ((error as EventyardError).code === DbErrors.EY_NODE_ID_LEASE_LOST.code) lose(error);
      else if (performance.now() >= validUntil)
        lose(
          new EventyardError(DbErrors.EY_NODE_ID_LEASE_LOST, `node id ${lease.nodeId} lease expired: renewal failed for ${options.ttlMs} ms`, { cause: err }),
        );
      else log.warn({ err, nodeId: lease.nodeId }, 'node id lease renewal failed; retrying');
    }
  };
  const timer = setInterval(
    () => {
      if (inFlight !== undefined) {
        if (performance.now() >= validUntil)
          lose(new EventyardError(DbErrors.EY_NODE_ID_LEASE_LOST, `node id ${lease.nodeId} lease expired: renewal did not complete`));
        return;
      }
      inFlight = renewOnce().finally(() => {
        inFlight = undefined;
      });
    },
    Math.max(1, Math.floor(options.ttlMs / 3)),
  );
  timer.unref();

  return {
    nodeId: lease.nodeId,
    async close(): Promise<void> {
      if (state === 'closed') return;
      const wasRunning = state === 'running';
      state = 'closed';
      clearInterval(timer);
      await inFlight;
      if (wasRunning) {
        await lease.release();
        log.info({ nodeId: lease.nodeId }, 'node id released');
      }
    },
  };
}

function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 100) {
    throw new EventyardError(DbErrors.EY_INVALID_LEASE_TTL, `node-id lease ttlMs must be an integer ≥ 100, got ${ttlMs}`);
  }
}

/** Unexpired leases whose owner starts with `ownerPrefix` (e.g. `producer@`): the live instances of a service. */
export async function countLiveNodeIdLeases(knex: Knex, ownerPrefix: string): Promise<number> {
  const escaped = ownerPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await knex('node_id_leases')
    .where('expires_at', '>', knex.fn.now())
    .andWhere('owner', 'like', `${escaped}%`)
    .count<Array<{ count: string }>>('* as count');
  return Number(rows[0]?.count ?? 0);
}
