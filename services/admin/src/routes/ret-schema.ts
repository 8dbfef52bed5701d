// JSON schema of EvHub's `ret` in admin answers, for /openapi.json. The config objects' schemas
// (processorConfInfoSchema, producerConfInfoSchema) come from @eventyard/evhub, which the CLI and the db
// normalizers share, so the three cannot disagree.

export const retSchema = {
  type: 'object',
  required: ['code', 'msg'],
  properties: { code: { type: 'integer', description: '0 = success, 10000 = invalid parameter, 20005 = system error' }, msg: { type: 'string' } },
} as const;
