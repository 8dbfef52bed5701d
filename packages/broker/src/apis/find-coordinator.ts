// FindCoordinator (v0-2): this node coordinates every group (and would every transaction).
import { ErrorCode } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';

const GROUP = 0;
const TRANSACTION = 1;

export const handleFindCoordinator: ApiHandler<10> = (deps, body) => {
  const keyType = body.keyType ?? GROUP;
  if (keyType !== GROUP && keyType !== TRANSACTION) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unknown key type ${keyType}`, nodeId: -1, host: '', port: -1 };
  }
  const { host, port } = deps.identity.advertised();
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: deps.identity.nodeId, host, port };
};
