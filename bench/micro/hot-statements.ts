// The hot history statements as the micro benches replay them (hot-writes.ts, knex-path.ts): one-row
// writes of the router's round and the dispatcher's attempt batch (what a paced 1,000/s mostly writes),
// and the statement each sends, captured from knex's `query` event (the hot writers still emit it).
import { recordRound, writeAttempts, type Knex } from '@eventyard/db';

export interface Captured {
  sql: string;
  bindings: unknown[];
  options: Record<string, unknown>;
}

/** The statement `write` sends, as it is handed to pg ($n placeholders, the statement's name in options). */
export async function capture(knex: Knex, write: () => Promise<unknown>): Promise<Captured> {
  let seen: Captured | undefined;
  const listen = (query: Captured): void => void (seen ??= query);
  knex.on('query', listen);
  await write();
  knex.off('query', listen);
  if (seen === undefined) throw new Error('no statement seen');
  return seen;
}

/** recordRound of one event and one delivery, and writeAttempts of one attempt, on `knex`. */
export function hotStatements(knex: Knex): Array<{ name: string; run: () => Promise<void> }> {
  const now = new Date();
  const event = {
    event_id: '7000000000000000001',
    app_id: 'app',
    topic_id: 'topic',
    status: 'routed',
    payload: Buffer.alloc(200, 1),
    trace_id: '0af7651916cd43dd8448eb211c80319c',
  };
  const delivery = { event_id: event.event_id, dispatcher_id: 'proc-1', app_id: 'app', topic_id: 'topic', status: 'pending' as const };
  const attempt = {
    ...delivery,
    retry_times: 0,
    repeat_times: 0,
    started_at: now,
    finished_at: now,
    outcome: 'success',
    ret_code: 0,
    delivery_status: 'succeeded' as const,
  };
  return [
    { name: 'router round (recordRound, 1 event + 1 delivery)', run: () => recordRound(knex, [event], [delivery]) },
    { name: 'attempt batch (writeAttempts, 1 attempt)', run: () => writeAttempts(knex, [attempt]) },
  ];
}
