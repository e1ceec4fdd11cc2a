import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AES_128_CBC, AES_192_CBC, AES_256_CBC, SHA1, SHA256, SHA512 } from '../../../userland/bin/openvpn/algorithms.js';
import {
  STATIC_KEY_LENGTH,
  checkStaticKey,
  formatStaticKey,
  isKeyFileError,
  keySlots,
  parseKeyDirection,
  parseStaticKey,
  type KeyFileError,
} from '../../../userland/bin/openvpn/static-key.js';
import { numRuns, vector } from './helpers.js';

const FILE = new TextDecoder().decode(vector('static.key'));
const LINES = FILE.split('\n'); // 4 header lines, 16 data lines, footer, ''
const head = (n: number): string => LINES.slice(0, n).join('\n') + '\n';
const FOOTER = '-----END OpenVPN Static key V1-----\n';

function key(text: string | Uint8Array, name?: string): Uint8Array {
  const k = parseStaticKey(text, name);
  if (isKeyFileError(k)) throw new Error(k.message);
  return k;
}
function error(text: string | Uint8Array, name: string): string {
  const k = parseStaticKey(text, name);
  if (!isKeyFileError(k)) throw new Error('parsed, but should not have');
  return k.message;
}

describe('parseStaticKey / formatStaticKey', () => {
  it('reads the vector file and writes it back byte for byte', () => {
    const k = key(FILE);
    expect(k.length).toBe(STATIC_KEY_LENGTH);
    expect(Array.from(k.subarray(0, 4))).toEqual([0xc2, 0x06, 0x00, 0x5a]);
    expect(Array.from(k.subarray(252))).toEqual([0x0f, 0x56, 0xc6, 0x01]);
    expect(formatStaticKey(k)).toBe(FILE);
    expect(key(vector('static.key'))).toEqual(k);
  });

  it('round-trips any 256 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (bytes) => {
        expect(key(formatStaticKey(bytes))).toEqual(bytes);
      }),
      { numRuns },
    );
  });

  // Each case below was run through `openvpn --secret FILE` (2.6.14); the expected text is its line.
  it('fails like OpenVPN 2.6.14 on damaged files', () => {
    expect(error('# c\n-----BEGIN OpenVPN Static key V1-----\nabzz\n', 'bad1')).toBe(
      "Non-Hex character ('z') found at line 3 in key file 'bad1' (1/128/256 bytes found/min/max)",
    );
    expect(error('nothing\n', 'bad2')).toBe(
      "Insufficient key material or header text not found in file 'bad2' (0/128/256 bytes found/min/max)",
    );
    expect(error(head(12), 'bad3')).toBe(
      "Non-Hex, unprintable character (0x00) found at line 13 in key file 'bad3' (128/128/256 bytes found/min/max)",
    );
    expect(error(head(12) + FOOTER, 'bad4')).toBe(
      "File 'bad4' does not have OpenVPN Static Key format.  Using free-form passphrase file is not supported anymore.: No such file or directory (errno=2)",
    );
    expect(error(head(20), 'x2')).toBe("Footer text not found in file 'x2' (256/128/256 bytes found/min/max)");
    expect(error(head(12) + '-- oops\n' + LINES.slice(12).join('\n'), 'x3')).toMatch(/^File 'x3' does not have/);
    expect(error('', 'x4')).toBe("Read error on key file ('x4')");
    expect(error(head(4) + 'c2 06 00 5a gg\n' + LINES.slice(5).join('\n'), 'x8')).toBe(
      "Non-Hex character ('g') found at line 5 in key file 'x8' (4/128/256 bytes found/min/max)",
    );
    const utf8 = new TextEncoder().encode(head(4) + 'é' + LINES.slice(4).join('\n'));
    expect(error(utf8, 'x10')).toBe(
      "Non-Hex, unprintable character (0xc3) found at line 5 in key file 'x10' (0/128/256 bytes found/min/max)",
    );
  });

  it('accepts what OpenVPN 2.6.14 accepts', () => {
    const k = key(FILE);
    // Extra hex after 256 bytes is ignored.
    expect(key(head(20) + 'abcdef\n' + FOOTER)).toEqual(k);
    // Text after the header on its line, all hex on one line, junk after the footer.
    const oneLine = LINES.slice(4, 20).join('');
    expect(key(`${head(3)}-----BEGIN OpenVPN Static key V1----- trailing\n${oneLine}\n${FOOTER}junk after\n`)).toEqual(k);
    // CRLF line ends and tabs are whitespace.
    expect(key(FILE.replace(/\n/g, '\r\n'))).toEqual(k);
    // Inline keys (<secret> in a config) have no comment header; a trailing NUL is not parsed twice.
    expect(key(LINES.slice(3).join('\n') + '\0')).toEqual(k);
    // An odd nibble count shifts the bytes but still gives 256 of them.
    expect(key(head(4) + 'c20' + LINES.slice(4).join('\n'))[1]).toBe(0x0c);
  });

  it('never throws on garbage', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 800 }),
      fc.string({ maxLength: 800 }),
      fc.tuple(fc.integer({ min: 0, max: FILE.length }), fc.string({ maxLength: 40 })).map(([at, s]) => FILE.slice(0, at) + s + FILE.slice(at)),
    );
    fc.assert(
      fc.property(arb, (input) => {
        const k = parseStaticKey(input, 'f');
        if (!isKeyFileError(k)) expect(k.length).toBe(256);
      }),
      { numRuns },
    );
  });
});

describe('key direction and slots', () => {
  const k = key(FILE);
  const at = (offset: number, length: number): Uint8Array => k.slice(offset, offset + length);

  it('parses the direction argument', () => {
    expect(parseKeyDirection(undefined)).toBeUndefined();
    expect(parseKeyDirection('0')).toBe(0);
    expect(parseKeyDirection('1')).toBe(1);
    expect((parseKeyDirection('2') as KeyFileError).message).toBe("Unknown key direction '2' -- must be '0' or '1'");
  });

  it('slices keys[0] = bytes 0..127 and keys[1] = 128..255, first N bytes of each half', () => {
    const d0 = keySlots(k, 0, AES_256_CBC, SHA256);
    expect(d0.encryptSlot).toBe(0);
    expect(d0.decryptSlot).toBe(1);
    expect(d0.encrypt).toEqual({ cipherKey: at(0, 32), hmacKey: at(64, 32) });
    expect(d0.decrypt).toEqual({ cipherKey: at(128, 32), hmacKey: at(192, 32) });

    const d1 = keySlots(k, 1, AES_128_CBC, SHA1);
    expect(d1.encrypt).toEqual({ cipherKey: at(128, 16), hmacKey: at(192, 20) });
    expect(d1.decrypt).toEqual({ cipherKey: at(0, 16), hmacKey: at(64, 20) });

    const bidi = keySlots(k, undefined, AES_192_CBC, SHA512);
    expect(bidi.encrypt).toEqual({ cipherKey: at(0, 24), hmacKey: at(64, 64) });
    expect(bidi.decrypt).toEqual(bidi.encrypt);
  });

  it('pairs direction 0 with direction 1', () => {
    expect(keySlots(k, 0, AES_256_CBC, SHA256).encrypt).toEqual(keySlots(k, 1, AES_256_CBC, SHA256).decrypt);
    expect(keySlots(k, 1, AES_256_CBC, SHA256).encrypt).toEqual(keySlots(k, 0, AES_256_CBC, SHA256).decrypt);
  });

  it('refuses a zero cipher key in either slot, as verify_fix_key2() does', () => {
    expect(checkStaticKey(k, AES_256_CBC, 'k')).toBeNull();
    const zero0 = k.slice();
    zero0.fill(0, 0, 16);
    expect(checkStaticKey(zero0, AES_128_CBC, 'x6')).toEqual({
      kind: 'key-file-error',
      message: "Key #1 in 'x6' is bad.  Try making a new key with --genkey.",
      preceding: ['CRYPTO INFO: WARNING: zero key detected'],
    });
    // Only the bytes the cipher uses count.
    expect(checkStaticKey(zero0, AES_256_CBC, 'x6')).toBeNull();
    const zero1 = k.slice();
    zero1.fill(0, 128, 160);
    expect(checkStaticKey(zero1, AES_256_CBC, 'y')?.message).toBe("Key #2 in 'y' is bad.  Try making a new key with --genkey.");
  });
});
