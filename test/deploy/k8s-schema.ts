// Validates rendered objects against the Kubernetes API's OpenAPI schemas, offline: the npm
// `kubernetes-models` package ships them compiled to ajv validators (one per kind, Kubernetes 1.34 API),
// and `@kubernetes-models/prometheus-operator` does the same for the ServiceMonitor CRD. What they catch:
// wrong types (a string where an integer is required), missing required fields, bad enum values, bad
// quantities and int-or-string values. What they do not: unknown fields (the API schemas do not close
// objects, the server prunes or refuses those) and rules only the API server's Go code enforces (e.g.
// an HPA's minReplicas <= maxReplicas, which the chart checks itself).
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { K8sObject } from './chart-render.ts';

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

/**
 * Every kind the chart renders. A kind missing here fails validation on purpose: a template that starts
 * rendering a new kind (or an old apiVersion of a known one) must be added, not silently skipped.
 */
const MODELS: readonly ModelClass[] = [
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Job,
  NetworkPolicy,
  PodDisruptionBudget,
  Secret,
  Service,
  ServiceAccount,
  ServiceMonitor,
];

const BY_TYPE = new Map(MODELS.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

/** One object the schemas refuse, with the validator's message naming the bad paths. */
export interface SchemaProblem {
  object: string;
  message: string;
}

/** Validates every object; returns the problems found (empty when all are valid). */
export function validateObjects(objects: readonly K8sObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const object of objects) {
    const name = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? '(no name)'}`;
    const model = BY_TYPE.get(`${object.apiVersion}/${object.kind}`);
    if (model === undefined) {
      problems.push({ object: name, message: `no schema known for this apiVersion/kind (test/deploy/k8s-schema.ts lists ${[...BY_TYPE.keys()].join(', ')})` });
      continue;
    }
    try {
      // The constructor copies the plain object; validate() throws a ValidationError listing every
      // failing path as "data/spec/replicas must be integer".
      new model(object as never).validate();
    } catch (err) {
      problems.push({ object: name, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}
