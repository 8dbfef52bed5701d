// Behaviour ordinary Kafka clients rely on, checked with kafkajs against the broker (issue #14 item 7):
// the v0 group protocol, committed metadata read back as Kafka returns it, and the timestamp topic
// configs stored, validated and applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './fixture.ts';
import { RawClient } from './raw-client.ts';
import { kafkajsFrame, requestBuilder, responseDecoder, type Decoded } from '../protocol/kafkajs.ts';

// A CommonJS getter that Node's named-export detection does not see.
const { ConfigResourceTypes } = kafkajs;

/** One connection speaking through kafkajs 2.2.4's own request encoders and response decoders. */
class KafkajsWire {
  readonly #client: RawClient;
  #correlationId = 0;

  private constructor(client: RawClient) {
    this.#client = client;
  }

  static async connect(port: number): Promise<KafkajsWire> {
    return new KafkajsWire(await RawClient.connect(port));
  }

  /** Sends `api` at `version` built from `args` and returns the decoded body (errors left as codes). */
  async send(api: string, version: number, args: unknown): Promise<Decoded> {
    const frame = this.#client.nextFrame();
    this.#client.write(await kafkajsFrame(requestBuilder(api, version)(args), ++this.#correlationId, 'kafkajs-wire'));
    const response = await frame;
    assert.equal(response.readInt32BE(0), this.#correlationId);
    return responseDecoder(api, version).decode(response.subarray(4));
  }

  close(): void {
    this.#client.close();
  }
}

/** kafkajs rejects createTopics with an aggregate whose errors carry the per-topic Kafka error type. */
const creationError = (type: string) => (err: Error & { errors?: Array<{ type?: string }> }) => err.errors?.[0]?.type === type;

test('JoinGroup and SyncGroup v0 (kafkajs encoders): members get ids, the follower its assignment; v0 rebalances within the session timeout', async (t) => {
  const { broker, defer } = await createBroker(t);
  const groupId = randomName('v0-group');
  const [a, b] = [await KafkajsWire.connect(broker.port), await KafkajsWire.connect(broker.port)];
  defer(async () => [a, b].forEach((w) => w.close()));
  // v0 has no rebalance timeout: the session timeout stands in for it, as in Kafka.
  const join = (wire: KafkajsWire, metadata: string, memberId = '') =>
    wire.send('joinGroup', 0, {
      groupId,
      sessionTimeout: 6000,
      memberId,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'rr', metadata: Buffer.from(metadata) }],
    });
  const sync = (wire: KafkajsWire, joined: Decoded, groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }> = []) =>
    wire.send('syncGroup', 0, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupAssignment });
  const heartbeat = (wire: KafkajsWire, joined: Decoded) =>
    wire.send('heartbeat', 0, { groupId, groupGenerationId: joined.generationId, memberId: joined.memberId });

  const [ja, jb] = await Promise.all([join(a, 'meta-a'), join(b, 'meta-b')]);
  assert.deepEqual([ja.errorCode, jb.errorCode, ja.generationId, jb.generationId], [0, 0, 1, 1]);
  assert.notEqual(ja.memberId, jb.memberId);
  const [leader, follower] =
    ja.memberId === ja.leaderId
      ? [
          { wire: a, joined: ja },
          { wire: b, joined: jb },
        ]
      : [
          { wire: b, joined: jb },
          { wire: a, joined: ja },
        ];
  assert.deepEqual(
    (leader.joined.members as Array<{ memberId: string; memberMetadata: Buffer }>).map((m) => [m.memberId, m.memberMetadata.toString()]).sort(),
    [
      [ja.memberId, 'meta-a'],
      [jb.memberId, 'meta-b'],
    ].sort(),
  );
  assert.deepEqual(follower.joined.members, []);
  const assignments = [
    { memberId: leader.joined.memberId as string, memberAssignment: Buffer.from('for-leader') },
    { memberId: follower.joined.memberId as string, memberAssignment: Buffer.from('for-follower') },
  ];
  const [sl, sf] = await Promise.all([sync(leader.wire, leader.joined, assignments), sync(follower.wire, follower.joined)]);
  assert.deepEqual([sl.errorCode, (sl.memberAssignment as Buffer).toString()], [0, 'for-leader']);
  assert.deepEqual([sf.errorCode, (sf.memberAssignment as Buffer).toString()], [0, 'for-follower']);
  assert.deepEqual([(await heartbeat(a, ja)).errorCode, (await heartbeat(b, jb)).errorCode], [0, 0]);

  // A third v0 member joins; the others never rejoin: the barrier falls at the session timeout (6 s),
  // not at some longer default, and the newcomer leads generation 2 alone.
  const c = await KafkajsWire.connect(broker.port);
  defer(async () => c.close());
  const started = Date.now();
  const jc = await join(c, 'meta-c');
  const waited = Date.now() - started;
  assert.ok(waited >= 5000 && waited < 15_000, `rebalance took ${waited} ms`);
  assert.deepEqual([jc.errorCode, jc.generationId, jc.leaderId], [0, 2, jc.memberId]);
  assert.deepEqual(
    (jc.members as Array<{ memberId: string }>).map((m) => m.memberId),
    [jc.memberId],
  );
  const sc = await sync(c, jc, [{ memberId: jc.memberId as string, memberAssignment: Buffer.from('all') }]);
  assert.deepEqual([sc.errorCode, (sc.memberAssignment as Buffer).toString()], [0, 'all']);
  assert.equal((await heartbeat(a, ja)).errorCode, 25); // UNKNOWN_MEMBER_ID: removed with the rebalance
});

test('OffsetFetch returns metadata "" for offsets committed without metadata, and offset -1 with "" where none was committed', async (t) => {
  const { broker, kafka, defer } = await createBroker(t);
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const topic = randomName('meta');
  const groupId = randomName('meta-group');
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  // kafkajs's admin turns '' into null itself, so the answer is read with its wire decoder. kafkajs
  // commits a null metadata string when none is given; Kafka stores that as "".
  const wire = await KafkajsWire.connect(broker.port);
  defer(async () => wire.close());
  const committed = await wire.send('offsetCommit', 5, {
    groupId,
    groupGenerationId: -1,
    memberId: '',
    topics: [
      {
        topic,
        partitions: [
          { partition: 0, offset: '5' },
          { partition: 1, offset: '7', metadata: 'kept' },
        ],
      },
    ],
  });
  assert.deepEqual(committed.responses, [
    {
      topic,
      partitions: [
        { partition: 0, errorCode: 0 },
        { partition: 1, errorCode: 0 },
      ],
    },
  ]);

  const wanted = { groupId, topics: [{ topic, partitions: [{ partition: 0 }, { partition: 1 }, { partition: 2 }] }] };
  const expected = [
    { partition: 0, offset: '5', metadata: '', errorCode: 0 },
    { partition: 1, offset: '7', metadata: 'kept', errorCode: 0 },
    { partition: 2, offset: '-1', metadata: '', errorCode: 0 },
  ];
  assert.deepEqual((await wire.send('offsetFetch', 4, wanted)).responses, [{ topic, partitions: expected }]);
  assert.deepEqual((await wire.send('offsetFetch', 1, wanted)).responses, [{ topic, partitions: expected }]);
  // All of the group's offsets (kafkajs sends an empty list as null topics): the committed ones, metadata "" too.
  assert.deepEqual((await wire.send('offsetFetch', 4, { groupId, topics: [] })).responses, [{ topic, partitions: expected.slice(0, 2) }]);
});

test('topic configs: timestamp configs are stored, validated and applied (LogAppendTime stamps, difference.max.ms rejects)', async (t) => {
  const { broker, kafka, defer } = await createBroker(t);
  const admin = kafka().admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const appendTimeTopic = randomName('lat');
  const boundedTopic = randomName('bounded');
  await admin.createTopics({
    topics: [
      { topic: appendTimeTopic, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
      {
        topic: boundedTopic,
        configEntries: [
          { name: 'message.timestamp.difference.max.ms', value: '60000' },
          { name: 'max.message.bytes', value: '2000000' },
        ],
      },
    ],
  });

  // Bad values and unknown names are INVALID_CONFIG naming the config, as in Kafka, validate_only too
  // (read with kafkajs's wire decoder: its admin drops the error message).
  const wire = await KafkajsWire.connect(broker.port);
  defer(async () => wire.close());
  const invalid = async (name: string, value: string, message: RegExp, validateOnly = false) => {
    const topic = randomName('bad');
    const created = await wire.send('createTopics', 3, { validateOnly, topics: [{ topic, configEntries: [{ name, value }] }] });
    const [result] = created.topicErrors as Array<{ errorCode: number; errorMessage: string | null }>;
    assert.equal(result?.errorCode, 40, `${name}=${value}`);
    assert.match(result.errorMessage ?? '', message);
  };
  await invalid('message.timestamp.type', 'WallClock', /message\.timestamp\.type: String must be one of: CreateTime, LogAppendTime/);
  await invalid('message.timestamp.difference.max.ms', 'soon', /message\.timestamp\.difference\.max\.ms: Not a number of type LONG/);
  await invalid('message.timestamp.difference.max.ms', '-1', /at least 0/, true);
  await invalid('min.insync.replicas', '0', /min\.insync\.replicas/);
  await invalid('unclean.leader.election.enable', 'maybe', /true or false/);
  await invalid('no.such.config', '1', /Unknown topic config name: no\.such\.config/);
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: randomName('bad'), configEntries: [{ name: 'message.timestamp.type', value: 'WallClock' }] }] }),
    creationError('INVALID_CONFIG'),
  );
  assert.deepEqual(
    (await admin.listTopics()).filter((name) => name.startsWith('bad-')),
    [],
  );

  // DescribeConfigs returns what was set (as dynamic topic configs) and Kafka's defaults for the rest.
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: appendTimeTopic },
      { type: ConfigResourceTypes.TOPIC, name: boundedTopic },
    ],
  });
  const entry = (resource: number, name: string) => {
    const e = described.resources[resource]?.configEntries.find((c) => c.configName === name);
    return e === undefined ? undefined : [e.configValue, e.isDefault];
  };
  assert.deepEqual(entry(0, 'message.timestamp.type'), ['LogAppendTime', false]);
  assert.deepEqual(entry(0, 'message.timestamp.difference.max.ms'), ['9223372036854775807', true]);
  assert.deepEqual(entry(1, 'message.timestamp.type'), ['CreateTime', true]);
  assert.deepEqual(entry(1, 'message.timestamp.difference.max.ms'), ['60000', false]);
  assert.deepEqual(entry(1, 'max.message.bytes'), ['2000000', false]);
  assert.deepEqual(entry(1, 'compression.type'), ['producer', true]);

  const producer = kafka().producer();
  await producer.connect();
  defer(() => producer.disconnect());
  const longAgo = Date.now() - 3_600_000;

  // LogAppendTime: the producer's timestamp is replaced by the broker's append time (kafkajs reads the
  // record timestamps from the batch's max timestamp only when the batch's LogAppendTime bit is set).
  const before = Date.now();
  const [sent] = await producer.send({ topic: appendTimeTopic, messages: [{ value: 'stamped', timestamp: String(longAgo) }] });
  const after = Date.now();
  const logAppendTime = Number(sent?.logAppendTime);
  assert.ok(logAppendTime >= before && logAppendTime <= after, `logAppendTime ${sent?.logAppendTime} within [${before}, ${after}]`);
  const consumer = kafka().consumer({ groupId: randomName('lat-group'), ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic: appendTimeTopic, fromBeginning: true });
  const timestamps: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void timestamps.push(message.timestamp) });
  await waitFor('the LogAppendTime record', () => timestamps.length === 1);
  assert.deepEqual(timestamps, [String(logAppendTime)]);

  // message.timestamp.difference.max.ms: a record an hour old (or ahead) is INVALID_TIMESTAMP; a current one is appended.
  const invalidTimestamp = (err: Error & { type?: string }) => err.type === 'INVALID_TIMESTAMP';
  await assert.rejects(producer.send({ topic: boundedTopic, messages: [{ value: 'old', timestamp: String(longAgo) }] }), invalidTimestamp);
  await assert.rejects(producer.send({ topic: boundedTopic, messages: [{ value: 'future', timestamp: String(Date.now() + 3_600_000) }] }), invalidTimestamp);
  const [accepted] = await producer.send({ topic: boundedTopic, messages: [{ value: 'now', timestamp: String(Date.now()) }] });
  assert.deepEqual([accepted?.errorCode, accepted?.baseOffset, accepted?.logAppendTime], [0, '0', '-1']);
});
