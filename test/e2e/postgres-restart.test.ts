// Reliability: Postgres stopped for 2 s mid-run and started again: the producer keeps acknowledging
// (it needs Postgres only for idempotency keys, transactions and its lease), the router and the
// dispatcher retry their history writes until Postgres is back, and every acknowledged event is
// delivered and has its history row.
import { test } from 'node:test';
import { killMidRun } from './kill-mid-run.ts';

test('a Postgres restart mid-run loses no acknowledged event', (t) => killMidRun(t, 'postgres'));
