// Reliability: a router SIGKILLed mid-run and restarted still routes every acknowledged event: it
// commits ingest offsets on a timer, so it routes again what it had not committed (duplicates, counted
// and reported, never a loss), and every event's history row is there.
import { test } from 'node:test';
import { killMidRun } from './kill-mid-run.ts';

test('kill -9 of the router mid-run loses no acknowledged event', (t) => killMidRun(t, 'router'));
