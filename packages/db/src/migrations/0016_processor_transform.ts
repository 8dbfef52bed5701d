// `processors.transform` (a JSONata expression reshaping the payload before delivery, compiled by
// @eventyard/evhub when saved), `transform_headers` (its result is {body, headers}) and
// `webhook_format` (an httpSend body as EvHub's DispatchReq JSON or a CloudEvent in binary or
// structured mode). Existing rows keep delivering as before: no transform, EvHub's format. Nullable
// columns and constant defaults rewrite no table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE processors ADD COLUMN transform text NULL;
    COMMENT ON COLUMN processors.transform IS 'JSONata expression applied to the JSON payload before delivery; NULL = none';
    ALTER TABLE processors ADD COLUMN transform_headers boolean NOT NULL DEFAULT false;
    COMMENT ON COLUMN processors.transform_headers IS 'true: the transform returns {body, headers} (headers added to the webhook request)';
    ALTER TABLE processors ADD COLUMN webhook_format text NOT NULL DEFAULT 'evhub'
      CONSTRAINT processors_webhook_format_check CHECK (webhook_format IN ('evhub', 'cloudevents_binary', 'cloudevents_structured'));
    COMMENT ON COLUMN processors.webhook_format IS 'httpSend body: evhub (DispatchReq JSON), cloudevents_binary or cloudevents_structured';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE processors DROP COLUMN transform, DROP COLUMN transform_headers, DROP COLUMN webhook_format');
}
