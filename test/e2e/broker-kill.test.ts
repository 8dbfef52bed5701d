// Reliability: the broker (as its own process, as in `eventyard dev`) SIGKILLed mid-run and restarted
// on the same data: every service reconnects, every Report the producer had acknowledged (acks = all)
// is routed and delivered, and the ones sent while it was down got 20000 and are not counted.
import { test } from 'node:test';
import { killMidRun } from './kill-mid-run.ts';

test('kill -9 of the broker mid-run loses no acknowledged event', (t) => killMidRun(t, 'broker'));
