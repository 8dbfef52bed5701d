// messages.ts is generated from the schema tables (scripts/generate-messages.ts): the committed file
// must be exactly what the generator writes for the current schemas, so a schema change without a
// regeneration (or a hand edit of the types) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MESSAGES_FILE, renderMessages } from '../../scripts/generate-messages.ts';

test('src/protocol/messages.ts is what scripts/generate-messages.ts makes of the schemas', () => {
  const committed = readFileSync(MESSAGES_FILE, 'utf8');
  assert.ok(committed === renderMessages(), 'messages.ts is stale: run `node packages/broker/scripts/generate-messages.ts` and commit the result');
});

test('the generated types follow the schemas: optional outside some versions, nullable where Kafka allows null', () => {
  const text = renderMessages();
  // Produce response: logStartOffset exists from v5 only within 3-7.
  assert.match(text, /export interface ProduceResponsePartitionProduceResponse \{[^}]*\n {2}logStartOffset\?: bigint; \/\/ v5\+\n/);
  // Metadata request topics: nullable from v1 within 0-6.
  assert.match(text, /\n {2}topics: MetadataRequestTopic\[\] \| null; \/\/ null allowed v1\+\n/);
  assert.match(text, /export interface RequestBodies \{\n {2}0: ProduceRequest;\n {2}1: FetchRequest;/);
});
