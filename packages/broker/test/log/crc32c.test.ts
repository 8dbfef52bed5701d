import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c, crc32cJs } from '../../src/log/crc32c.ts';

// Known CRC-32C (Castagnoli) vectors: the "check" value and RFC 3720 (iSCSI) B.4 test patterns.
const vectors: Array<[string, Buffer, number]> = [
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['empty', Buffer.alloc(0), 0],
  ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 incrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 decrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
];

for (const [name, data, expected] of vectors) {
  test(`crc32c of ${name}`, () => {
    assert.equal(crc32c(data), expected);
    assert.equal(crc32cJs(data), expected);
  });
}

test('native and JS implementations agree on random data', () => {
  for (let i = 0; i < 50; i++) {
    const data = randomBytes(1 + ((i * 997) % 5000));
    assert.equal(crc32c(data), crc32cJs(data));
  }
});
