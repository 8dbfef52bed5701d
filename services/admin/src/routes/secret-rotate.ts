// `POST /v1/processors/:dispatcher_id/secret/rotate`: a new webhook secret (the body's `secret`, or a
// generated one shown once in the answer) is signed with at once, and the current one keeps being signed
// with beside it until the overlap ends (body `overlap_s`, else EY_SECRET_ROTATION_OVERLAP_S), so
// consumers can move to the new secret without refusing deliveries in between. Registered with the
// other processor actions.
import { rotateProcessorSecret, type Knex } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { AdminErrors } from '../error-codes.ts';
import { HttpError } from '../http/api-error.ts';
import { processorView, signingView } from './processors.ts';
import { absentBodyAsEmpty } from './replay.ts';

/** Longest overlap a request may ask for: 30 days. */
export const MAX_ROTATION_OVERLAP_S = 30 * 24 * 3600;

export const rotateSecretBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    secret: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'The new secret, whsec_ + base64 of 24..64 bytes; omitted = generated and shown once',
    },
    overlap_s: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_ROTATION_OVERLAP_S,
      description: 'Seconds the current secret stays valid beside the new one; 0 = replaced at once. Default EY_SECRET_ROTATION_OVERLAP_S',
    },
    version: { type: 'integer', minimum: 0, maximum: 2_147_483_647, description: 'Optimistic lock: the version read' },
  },
} as const;

interface RotateBody {
  secret?: string;
  overlap_s?: number;
  version?: number;
}

export interface SecretRotateDeps {
  knex: Knex;
  /** Overlap when the request names none, seconds (EY_SECRET_ROTATION_OVERLAP_S). */
  defaultOverlapS: number;
}

export function registerSecretRotateRoute(app: FastifyInstance, deps: SecretRotateDeps): void {
  app.post<{ Params: { dispatcher_id: string }; Body: RotateBody | undefined }>(
    '/v1/processors/:dispatcher_id/secret/rotate',
    { schema: { body: rotateSecretBodySchema }, preValidation: absentBodyAsEmpty },
    async (request) => {
      const { dispatcher_id: dispatcherId } = request.params;
      const body = request.body ?? {};
      const overlapS = body.overlap_s ?? deps.defaultOverlapS;
      const rotated = await rotateProcessorSecret(deps.knex, dispatcherId, {
        overlapMs: overlapS * 1000,
        ...(body.secret === undefined ? {} : { secret: body.secret }),
        ...(body.version === undefined ? {} : { expectedVersion: body.version }),
      });
      if (rotated === undefined) throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${dispatcherId}" not found`);
      const signing = signingView(rotated.record, rotated.generatedWebhookSecret);
      // Fingerprints only: neither secret is logged.
      request.log.info(
        { dispatcher_id: dispatcherId, overlap_s: overlapS, version: rotated.record.version, fingerprint: signing?.fingerprint },
        'webhook secret rotated',
      );
      return {
        ret: {
          code: 0,
          msg:
            signing?.previous_expires_at === null
              ? 'rotated'
              : `rotated: the previous secret is also signed with until ${String(signing?.previous_expires_at)}`,
        },
        processor_conf_info: processorView(rotated.record),
        signing,
      };
    },
  );
}
