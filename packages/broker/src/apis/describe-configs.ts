// DescribeConfigs (v0-2): topic configs as the log reports them (explicit ones as dynamic topic
// configs, the rest as defaults) and, for the BROKER resource, the broker's own settings.
import { ErrorCode, type DescribeConfigsResponseResourceResult, type DescribeConfigsResponseResult } from '../protocol/index.ts';
import type { ApiDeps, ApiHandler } from './context.ts';
import { errorCodeOf, errorMessageOf } from '../kafka-errors.ts';

const ResourceType = { TOPIC: 2, BROKER: 4 } as const;
/** DescribeConfigsResponse's ConfigSource values. */
const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  source: number;
}

function toResult(entry: ConfigEntry, includeSynonyms: boolean): DescribeConfigsResponseResourceResult {
  return {
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    isDefault: entry.isDefault,
    configSource: entry.source,
    isSensitive: entry.isSensitive,
    synonyms: includeSynonyms ? [{ name: entry.name, value: entry.value, source: entry.source }] : [],
  };
}

function entriesFor(deps: ApiDeps, resourceType: number, resourceName: string): ConfigEntry[] | { errorCode: number; errorMessage: string } {
  if (resourceType === ResourceType.TOPIC) {
    if (!deps.logs.listTopics().some((t) => t.name === resourceName)) {
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${resourceName}' does not exist.` };
    }
    return deps.logs
      .describeConfigs(resourceName)
      .map((c) => ({ ...c, source: c.isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.DYNAMIC_TOPIC_CONFIG }));
  }
  if (resourceType === ResourceType.BROKER) {
    if (resourceName !== '' && resourceName !== String(deps.identity.nodeId)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `This is broker ${deps.identity.nodeId}, not ${resourceName}.` };
    }
    return deps.brokerConfigs.map((c) => ({ ...c, isDefault: false, isSensitive: false, source: ConfigSource.STATIC_BROKER_CONFIG }));
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}.` };
}

export const handleDescribeConfigs: ApiHandler<32> = (deps, body) => {
  const includeSynonyms = body.includeSynonyms === true;
  const results = body.resources.map((resource): DescribeConfigsResponseResult => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    try {
      const entries = entriesFor(deps, resource.resourceType, resource.resourceName);
      if (!Array.isArray(entries)) return { ...base, ...entries, configs: [] };
      const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
      const configs = entries.filter((e) => keys === null || keys.has(e.name)).map((e) => toResult(e, includeSynonyms));
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    } catch (err) {
      return { ...base, errorCode: errorCodeOf(err, deps.logger, { resource: resource.resourceName }), errorMessage: errorMessageOf(err), configs: [] };
    }
  });
  return { throttleTimeMs: 0, results };
};
