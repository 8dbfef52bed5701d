// ApiVersions (v0-2): exactly the api keys and version ranges this broker implements.
import { ErrorCode, SUPPORTED_VERSIONS } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';

export const handleApiVersions: ApiHandler<18> = () => ({
  errorCode: ErrorCode.NONE,
  apiKeys: [...SUPPORTED_VERSIONS].map(([apiKey, range]) => ({ apiKey, minVersion: range.min, maxVersion: range.max })),
  throttleTimeMs: 0,
});
