// Reliability: a producer SIGKILLed mid-run and restarted: the Reports it had acknowledged (acks = all,
// so they were on the broker) are all delivered; the ones in flight or sent while it was down fail on
// the client and are not counted as acknowledged.
import { test } from 'node:test';
import { killMidRun } from './kill-mid-run.ts';

test('kill -9 of the producer mid-run loses no acknowledged event', (t) => killMidRun(t, 'producer'));
