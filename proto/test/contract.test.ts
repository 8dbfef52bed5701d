// Checks the .proto files against evhub-contract.md, transcribed here by hand: every enum value and
// every message field (name, number, type, repeated), typos and casing included. A wrong number or a
// "fixed" typo in a .proto file breaks wire compatibility with EvHub clients, so it must fail here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { WirePath, protoRoot } from '../src/index.ts';

const ENUMS: Record<string, Record<string, number>> = {
  'evhub_comm.EventTriggerType': {
    EVENT_TRIGGER_TYPE_INVALID: 0,
    EVENT_TRIGGER_TYPE_REAL_TIME: 1,
    EVENT_TRIGGER_TYPE_DELAY: 2,
    EVENT_TRIGGER_TYPE_REPEAT: 3,
    EVENT_TRIGGER_TYPE_DELAY_PROCESS: 4,
  },
  'evhub_comm.EventRepeatEndType': {
    EVENT_REPEAT_END_TYPE_INVALID: 0,
    EVENT_REPEAT_END_TYPE_END_BY_TIMESTAMP: 1,
    EVENT_REPEAT_END_TYPE_END_BY_COUNT: 2,
  },
  'evhub_comm.EventPulserType': { EVENT_PULSER_TYPE_INVALID: 0, EVENT_PULSER_TYPE_BY_INTERVAL: 1, EVENT_PULSER_TYPE_BY_CRONTAB: 2 },
  'evhub_comm.TxStatus': { TX_STATUS_INVALID: 0, TX_STATUS_PREPARE: 1, TX_STATUS_COMMIT: 2, TX_STATUS_ROLLBACK: 3, TX_STATUS_SUCCESS: 4 },
  'evhub_comm.ProtocolType': { PROTOCOL_TYPE_INVALID: 0, PROTOCOL_TYPE_GRPC: 1, PROTOCOL_TYPE_HTTP_PB: 3, PROTOCOL_TYPE_HTTP_JSON: 5 },
  'evhub_comm.EventStatus': {
    EVENT_STATUS_INVALID: 0,
    EVENT_STATUS_MAKING: 1,
    EVENT_STATUS_INIT: 100,
    EVENT_STATUS_IN_REAL_TIME_QUEUE: 200,
    EVENT_STATUS_RETEY_IN_REAL_TIME_QUEUE: 201,
    EVENT_STATUS_REPEAT_IN_REAL_TIME_QUEUE: 202,
    EVENT_STATUS_DELAY_PROCESS_IN_REAL_TIME_QUEUE: 203,
    EVENT_STATUS_IN_DELAY_QUEUE: 300,
    EVENT_STATUS_RETEY_IN_DELAY_QUEUE: 301,
    EVENT_STATUS_REPEAT_IN_DELAY_QUEUE: 302,
    EVENT_STATUS_DELAY_PROCESS_IN_DELAY_QUEUE: 303,
    EVENT_STATUS_TX_CALLBACK_IN_DELAY_QUEUE: 304,
    EVENT_STATUS_DELAY_RIGGER: 400,
    EVENT_STATUS_WAIT_PROCESS: 500,
    EVENT_STATUS_PROCESS_SUCC: 501,
    EVENT_STATUS_PROCESS_FAILED: 502,
  },
};

const TS = 'google.protobuf.Timestamp';
const DUR = 'google.protobuf.Duration';

/** `name type number`, `repeated` prefix for repeated fields; types fully qualified. */
const MESSAGES: Record<string, string[]> = {
  'evhub_comm.EventSource': ['source string 1', 'qua string 2', `create_time ${TS} 3`],
  'evhub_comm.EventComm': ['event_source evhub_comm.EventSource 1', 'event_tag evhub_comm.EventTag 2'],
  'evhub_comm.EventTag': ['repeated tag_list string 1'],
  'evhub_comm.Endpoint': ['protocol_type evhub_comm.ProtocolType 1', 'address string 2', `timeout ${DUR} 3`],
  'evhub_comm.TxCallback': ['Endpoint evhub_comm.Endpoint 1', `callback_interval ${DUR} 2`],
  'evhub_comm.Event': ['app_id string 1', 'topic_id string 2', 'event_comm evhub_comm.EventComm 3', 'data bytes 4'],
  'evhub_comm.EventTrigger': [
    'trigger_type evhub_comm.EventTriggerType 1',
    'delay_trigger evhub_comm.EventDelayTrigger 2',
    'repeat_trigger evhub_comm.EventRepeatTrigger 3',
    'repeated delay_process_trigger_list evhub_comm.EventDelayProcessTrigger 4',
  ],
  'evhub_comm.EventDelayTrigger': [`delay_time ${DUR} 1`],
  'evhub_comm.RepeatEnd': ['repeat_times uint32 1', `end_time ${TS} 2`],
  'evhub_comm.RegularPulser': [`interval ${DUR} 1`],
  'evhub_comm.CrontabPulser': ['crontab string 1'],
  'evhub_comm.EventRepeatTrigger': [
    `begin_time ${TS} 1`,
    'end_type evhub_comm.EventRepeatEndType 2',
    'repeat_end evhub_comm.RepeatEnd 3',
    'pulser_type evhub_comm.EventPulserType 4',
    'regular_pulser evhub_comm.RegularPulser 5',
    'crontab_pulser evhub_comm.CrontabPulser 6',
  ],
  'evhub_comm.EventDelayProcessTrigger': ['key string 1', `delay_time ${DUR} 2`],
  'evhub_comm.EventOption': ['idempotent evhub_comm.EventIdempotent 1', 'orderingKey string 2'],
  'evhub_comm.EventIdempotent': ['key string 1', `idempotent_time ${DUR} 2`],
  'evhub_comm.Tx': ['event_id string 1', 'status evhub_comm.TxStatus 2'],
  'evhub_comm.Result': ['code int32 1', 'msg string 2'],
  'evhub_comm.Err': ['code int32 1', 'msg string 2', 'pass_back bytes 3'],
  'evhub_comm.evhubMsg': [
    'event_id string 1',
    'status evhub_comm.EventStatus 2',
    'event evhub_comm.Event 3',
    'trigger_info evhub_comm.EventTriggerInfo 4',
    'dispatcherInfo evhub_comm.EventDispatcherInfo 5',
  ],
  'evhub_comm.EventTriggerInfo': ['trigger evhub_comm.EventTrigger 1', 'repeat_times uint32 2'],
  'evhub_comm.EventDispatcherInfo': ['dispatcher_id string 1', 'retry_times uint32 2', 'pass_back bytes 3'],
  'evhub_producer.ReportReq': ['event evhub_comm.Event 1', 'trigger evhub_comm.EventTrigger 2', 'option evhub_comm.EventOption 3'],
  'evhub_producer.ReportRsp': ['ret evhub_comm.Result 1', 'event_id string 2'],
  'evhub_producer.PrepareReq': ['event evhub_comm.Event 1', 'tx_callback evhub_comm.TxCallback 2'],
  'evhub_producer.PrepareRsp': ['ret evhub_comm.Result 1', 'tx evhub_comm.Tx 2'],
  'evhub_producer.CommitReq': ['event_id string 1', 'trigger evhub_comm.EventTrigger 2'],
  'evhub_producer.CommitRsp': ['ret evhub_comm.Result 1', 'tx evhub_comm.Tx 2'],
  'evhub_producer.RollbackReq': ['event_id string 1'],
  'evhub_producer.RollbackRsp': ['ret evhub_comm.Result 1', 'tx evhub_comm.Tx 2'],
  'evhub_processor.DispatchReq': ['event_id string 1', 'event evhub_comm.Event 2', 'retry_times uint32 3', 'repeat_times uint32 4', 'pass_back bytes 5'],
  'evhub_processor.DispatchRsp': ['ret evhub_comm.Result 2', 'pass_back bytes 3'],
  'evhub_transaction.CallbackReq': ['event evhub_comm.Event 1', 'tx evhub_comm.Tx 2'],
  'evhub_transaction.CallbackRsp': ['ret evhub_comm.Result 1', 'tx_status evhub_comm.TxStatus 2', 'trigger evhub_comm.EventTrigger 3'],
};

const SERVICES: Record<string, Record<string, [string, string]>> = {
  'evhub_producer.evhubProducer': {
    Report: ['evhub_producer.ReportReq', 'evhub_producer.ReportRsp'],
    Prepare: ['evhub_producer.PrepareReq', 'evhub_producer.PrepareRsp'],
    Commit: ['evhub_producer.CommitReq', 'evhub_producer.CommitRsp'],
    Rollback: ['evhub_producer.RollbackReq', 'evhub_producer.RollbackRsp'],
  },
  'evhub_processor.evhubProcessor': { Dispatch: ['evhub_processor.DispatchReq', 'evhub_processor.DispatchRsp'] },
  'evhub_transaction.evhubTransaction': { Callback: ['evhub_transaction.CallbackReq', 'evhub_transaction.CallbackRsp'] },
};

function describeField(field: protobuf.Field): string {
  const resolved = field.resolve().resolvedType;
  const type = resolved === null ? field.type : resolved.fullName.replace(/^\./, '');
  return `${field.repeated ? 'repeated ' : ''}${field.name} ${type} ${field.id}`;
}

/** Every message and enum declared in a namespace, by fully-qualified name. */
function declared(ns: protobuf.Namespace, out: string[] = []): string[] {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type || child instanceof protobuf.Enum) out.push(child.fullName.slice(1));
    if (child instanceof protobuf.Namespace) declared(child, out);
  }
  return out;
}

test('every EvHub enum has exactly the contract values, typos included', () => {
  for (const [name, values] of Object.entries(ENUMS)) {
    assert.deepEqual(protoRoot().lookupEnum(name).values, values, name);
  }
});

test('every EvHub message has exactly the contract fields, names, numbers and types', () => {
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const type = protoRoot().lookupType(name);
    assert.deepEqual(type.fieldsArray.map(describeField), fields, name);
    assert.deepEqual(type.oneofsArray, [], `${name} has no oneof`);
  }
});

test('the EvHub packages declare nothing beyond the contract', () => {
  const evhub = ['evhub_comm', 'evhub_producer', 'evhub_processor', 'evhub_transaction'].flatMap((pkg) =>
    declared(protoRoot().lookup(pkg) as protobuf.Namespace),
  );
  assert.deepEqual(evhub.sort(), [...Object.keys(ENUMS), ...Object.keys(MESSAGES)].sort());
});

test('the EvHub services have exactly the contract methods, unary, with the contract types', () => {
  for (const [name, methods] of Object.entries(SERVICES)) {
    const service = protoRoot().lookupService(name);
    assert.deepEqual(Object.keys(service.methods).sort(), Object.keys(methods).sort(), name);
    for (const [method, [req, rsp]] of Object.entries(methods)) {
      const m = service.methods[method];
      assert.ok(m !== undefined);
      m.resolve();
      assert.equal(m.resolvedRequestType?.fullName, `.${req}`);
      assert.equal(m.resolvedResponseType?.fullName, `.${rsp}`);
      assert.ok(m.requestStream !== true, `${method} is unary`);
      assert.ok(m.responseStream !== true, `${method} is unary`);
    }
  }
  assert.deepEqual(Object.values(WirePath).sort(), [
    '/evhub_processor.evhubProcessor/Dispatch',
    '/evhub_producer.evhubProducer/Commit',
    '/evhub_producer.evhubProducer/Prepare',
    '/evhub_producer.evhubProducer/Report',
    '/evhub_producer.evhubProducer/Rollback',
    '/evhub_transaction.evhubTransaction/Callback',
  ]);
});
