// createKnex's logger option: knex's own messages (here a pool that cannot connect) come out as JSON
// lines of the service's logger, not bare console lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@eventyard/core';
import { createKnex, findFreePort } from '@eventyard/db';

test('knex pool errors go to the given logger with component knex', async () => {
  const lines: Array<{ level: number; component?: string; msg: string }> = [];
  const logger = createLogger({
    name: 'db-test',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
  });
  const port = await findFreePort(); // nothing listens there
  const knex = createKnex(`postgres://u:p@127.0.0.1:${port}/none`, { logger });
  const query = knex.raw('select 1').then(
    () => assert.fail('no server, no answer'),
    (err: unknown) => err,
  );
  try {
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.component === 'knex') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const line = lines.find((l) => l.component === 'knex');
    assert.ok(line !== undefined, 'knex logged through the logger');
    assert.equal(line.level, 40, 'as a warning');
    assert.match(line.msg, /Acquire connection error: .*ECONNREFUSED/);
  } finally {
    await knex.destroy();
    await query;
  }
});
