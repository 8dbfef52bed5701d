// deploy/grafana/eventyard-dashboard.json must only query metrics the services really export: service
// metrics are read from services/*/src/metrics.ts, Node's default metrics from a live registry made the
// way every service makes it (createMetricsRegistry).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMetricsRegistry } from '@eventyard/core';
import { REPO_ROOT } from './chart-render.ts';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; datasource: { uid: string } }[];
}

async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const file of glob('services/*/src/metrics.ts', { cwd: REPO_ROOT })) {
    const source = await readFile(join(REPO_ROOT, file), 'utf8');
    for (const match of source.matchAll(/name: '(eventyard_[a-z0-9_]+)'/g)) names.add(match[1] ?? '');
  }
  const registry = createMetricsRegistry('dashboard-test');
  for (const metric of await registry.getMetricsAsJSON()) names.add(metric.name);
  return names;
}

test('every dashboard query names a metric the services export', async () => {
  const dashboard = JSON.parse(await readFile(join(REPO_ROOT, 'deploy', 'grafana', 'eventyard-dashboard.json'), 'utf8')) as { panels: Panel[]; uid: string };
  const exported = await exportedMetricNames();
  const queried = new Set<string>();
  for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
    assert.ok((panel.targets ?? []).length > 0, `${panel.title}: no query`);
    for (const target of panel.targets ?? []) {
      assert.equal(target.datasource.uid, '${datasource}', `${panel.title}: data source variable`);
      for (const match of target.expr.matchAll(/\beventyard_[a-z0-9_]+/g)) queried.add(match[0].replace(/_(bucket|sum|count)$/, ''));
    }
  }
  const unknown = [...queried].filter((name) => !exported.has(name));
  assert.deepEqual(unknown, [], `queried but not exported: ${unknown.join(', ')}`);
  assert.ok(queried.size >= 15, `only ${queried.size} metrics on the dashboard`);
});

test('dashboard panels have unique ids and do not overlap', async () => {
  const { panels } = JSON.parse(await readFile(join(REPO_ROOT, 'deploy', 'grafana', 'eventyard-dashboard.json'), 'utf8')) as { panels: Panel[] };
  assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
  const cells = new Set<string>();
  for (const { title, gridPos } of panels) {
    assert.ok(gridPos.x + gridPos.w <= 24, `${title}: wider than the grid`);
    for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        assert.ok(!cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`);
        cells.add(`${x},${y}`);
      }
    }
  }
});
