// Reliability: a dispatcher SIGKILLed in the middle of a run of a few thousand events and restarted
// still delivers every acknowledged event at least once; duplicates are counted and reported.
import { test } from 'node:test';
import { killMidRun } from './kill-mid-run.ts';

test('kill -9 of the dispatcher mid-run loses no acknowledged event', (t) => killMidRun(t, 'dispatcher'));
