// Builds the npm package's dist/: the contract (@eventyard/proto's sources compiled to JS + .d.ts, and
// its .proto files, laid out as proto/ is so its loader finds them beside itself), then the SDK's own
// sources, which import the contract as '#proto' (see package.json `imports` and docs/adr/0002).
// Usage: `pnpm --filter @eventyard/sdk build` (npm pack runs it as prepack).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTO_DIR, PROTO_FILES } from '@eventyard/proto';

const SDK_DIR = path.resolve(import.meta.dirname, '..');
const DIST = path.join(SDK_DIR, 'dist');
/** What tsconfig.proto.json compiles; checked against the package actually resolved. */
const PROTO_SOURCES = path.resolve(SDK_DIR, '../../proto/src');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const resolvedProto = path.dirname(fileURLToPath(import.meta.resolve('@eventyard/proto')));
if (resolvedProto !== PROTO_SOURCES) throw new Error(`@eventyard/proto resolves to ${resolvedProto}, but tsconfig.proto.json compiles ${PROTO_SOURCES}`);

function tsc(project: string): void {
  // Same Node as this script (the repo's Node 24), whatever `node` is first on PATH.
  execFileSync(process.execPath, [TSC, '-p', path.join(SDK_DIR, project)], { cwd: SDK_DIR, stdio: 'inherit' });
}

rmSync(DIST, { recursive: true, force: true });
tsc('tsconfig.proto.json');
// PROTO_DIR is resolved from the loader's own directory (`src/..`), so dist/proto/ mirrors proto/.
for (const file of PROTO_FILES) cpSync(path.join(PROTO_DIR, file), path.join(DIST, 'proto', file));
tsc('tsconfig.build.json');
