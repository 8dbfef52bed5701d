// Framing: frames split across chunks, several in one chunk, and size prefixes that must close the connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameSizeError } from '../../src/network/frame-decoder.ts';

function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('reassembles frames from any chunking', () => {
  const stream = Buffer.concat([frame('first'), frame(''), frame('third frame')]);
  for (let chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
    const decoder = new FrameDecoder(1024);
    const frames: string[] = [];
    for (let i = 0; i < stream.length; i += chunkSize) frames.push(...decoder.push(stream.subarray(i, i + chunkSize)).map((f) => f.toString()));
    assert.deepEqual(frames, ['first', '', 'third frame'], `chunk size ${chunkSize}`);
    assert.equal(decoder.buffered, 0);
  }
});

test('a size above the limit or below zero is refused before any body arrives', () => {
  assert.throws(() => new FrameDecoder(10).push(frame('eleven byte')), FrameSizeError);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-5);
  assert.throws(() => new FrameDecoder(10).push(negative), /invalid frame size -5/);
  const exactlyTen = new FrameDecoder(10).push(frame('0123456789'));
  assert.equal(exactlyTen[0]?.toString(), '0123456789');
});
