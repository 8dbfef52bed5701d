// Fuzzes the decoders with random bytes, truncations and bit flips of valid frames of every API
// version: the only error they may throw is ProtocolDecodeError (bounded iterations, seeded).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ProtocolDecodeError,
  SCHEMAS,
  SUPPORTED_VERSIONS,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeResponseHeader,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/index.ts';
import { rng, sampleBody } from './samples.ts';

interface Outcome {
  decoded: number;
  rejected: number;
}

/** Runs `decode`; a ProtocolDecodeError counts as a rejection, anything else fails the test. */
function feed(decode: () => unknown, outcome: Outcome, describe: () => string): void {
  try {
    decode();
    outcome.decoded++;
  } catch (err) {
    if (!(err instanceof ProtocolDecodeError)) {
      assert.fail(`${describe()}: threw ${String(err)} instead of ProtocolDecodeError`);
    }
    // The codec wraps unexpected errors as a last resort (with a cause); a real bounds check has none.
    assert.equal(err.cause, undefined, `${describe()}: ${String(err.cause)} escaped a bounds check`);
    outcome.rejected++;
  }
}

function decodeAsRequest(frame: Buffer, apiKey: number, version: number): unknown {
  // Decode as the header says (the usual path) and as the api/version we built, so a flipped header
  // byte still exercises the body decoder.
  const { header, bodyOffset } = decodeRequestHeader(frame);
  try {
    decodeRequest(header.apiKey, header.apiVersion, frame, bodyOffset);
  } catch (err) {
    if (!(err instanceof ProtocolDecodeError) || err.cause !== undefined) throw err;
  }
  return decodeRequest(apiKey, version, frame, bodyOffset);
}

function decodeAsResponse(frame: Buffer, apiKey: number, version: number): unknown {
  const { bodyOffset } = decodeResponseHeader(frame);
  return decodeResponse(apiKey, version, frame, bodyOffset);
}

function mutations(valid: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  // Every truncation point for short frames, a sample for long ones.
  const step = Math.max(1, Math.floor(valid.length / 64));
  for (let length = 0; length < valid.length; length += step) out.push(valid.subarray(0, length));
  for (let i = 0; i < 40; i++) {
    const flipped = Buffer.from(valid);
    const flips = 1 + Math.floor(random() * 3);
    for (let f = 0; f < flips && flipped.length > 0; f++) {
      const at = Math.floor(random() * flipped.length);
      flipped[at] = (flipped[at] ?? 0) ^ (1 << Math.floor(random() * 8));
    }
    out.push(flipped);
  }
  // Lengths forced to -1, -2 and huge values at random positions.
  for (let i = 0; i < 10 && valid.length >= 4; i++) {
    const patched = Buffer.from(valid);
    const at = Math.floor(random() * (valid.length - 3));
    patched.writeInt32BE(i % 3 === 0 ? -1 : i % 3 === 1 ? -2 : 0x7ffffff0, at);
    out.push(patched);
  }
  return out;
}

test('decoders only ever throw ProtocolDecodeError', () => {
  const random = rng(0xfeed);
  const requests: Outcome = { decoded: 0, rejected: 0 };
  const responses: Outcome = { decoded: 0, rejected: 0 };
  for (const [apiKey, { min, max }] of SUPPORTED_VERSIONS) {
    const schemas = SCHEMAS.get(apiKey);
    assert.ok(schemas);
    for (let version = min; version <= max; version++) {
      for (let seed = 0; seed < 3; seed++) {
        const request = encodeRequest(apiKey, version, 1, 'fuzz', sampleBody(schemas.request, version, seed)).subarray(4);
        for (const frame of mutations(request, random)) {
          feed(
            () => decodeAsRequest(frame, apiKey, version),
            requests,
            () => `${schemas.request.name} v${version} ${frame.toString('hex')}`,
          );
        }
        const response = encodeResponse(apiKey, version, 1, sampleBody(schemas.response, version, seed)).subarray(4);
        for (const frame of mutations(response, random)) {
          feed(
            () => decodeAsResponse(frame, apiKey, version),
            responses,
            () => `${schemas.response.name} v${version} ${frame.toString('hex')}`,
          );
        }
      }
      // Pure noise of assorted lengths.
      for (let i = 0; i < 30; i++) {
        const noise = Buffer.alloc(Math.floor(random() * 200));
        for (let b = 0; b < noise.length; b++) noise[b] = Math.floor(random() * 256);
        feed(
          () => decodeAsRequest(noise, apiKey, version),
          requests,
          () => `noise request ${noise.toString('hex')}`,
        );
        feed(
          () => decodeAsResponse(noise, apiKey, version),
          responses,
          () => `noise response ${noise.toString('hex')}`,
        );
      }
    }
  }
  // Both outcomes must occur, or the mutations are not reaching the decoders.
  assert.ok(requests.rejected > 1000 && requests.decoded > 100, JSON.stringify(requests));
  assert.ok(responses.rejected > 1000 && responses.decoded > 100, JSON.stringify(responses));
});

test('an empty or header-only frame is a ProtocolDecodeError', () => {
  assert.throws(() => decodeRequestHeader(Buffer.alloc(0)), ProtocolDecodeError);
  assert.throws(() => decodeRequestHeader(Buffer.from([0, 3, 0, 1, 0, 0, 0, 9, 0, 5, 0x61])), ProtocolDecodeError);
  assert.throws(() => decodeResponseHeader(Buffer.from([0, 0])), ProtocolDecodeError);
});
