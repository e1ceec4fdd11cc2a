// The OpenVPN static key file (`openvpn --genkey secret FILE`) and how --secret slices it.
//
// The parser is OpenVPN's read_key_file() state machine, so that a damaged file fails with the same
// line a real 2.6 prints. Its quirks are kept on purpose (all checked against 2.6.14):
// * anything before the header line is ignored, comment or not; the header must start its line, and
//   text after it on the same line is ignored;
// * between header and footer only hex digits and whitespace are allowed, until 256 bytes have been
//   read; after that the rest is ignored up to the footer, so extra hex is harmless;
// * a line starting with '-' ends the key data: it must then be the footer;
// * OpenVPN reads the file into a NUL-terminated buffer and parses the NUL too, so a file that ends
//   inside the key data complains about "unprintable character (0x00)" rather than a missing footer;
// * an empty file is a read error;
// * 128..255 bytes make one key, which --secret refuses ("does not have OpenVPN Static Key format").

import type { AuthSpec, CipherSpec } from './algorithms.js';

export const STATIC_KEY_LENGTH = 256;
/** One struct key: 64 bytes of cipher key then 64 bytes of HMAC key. */
export const KEY_SLOT_LENGTH = 128;
const SLOT_CIPHER_OFFSET = 0;
const SLOT_HMAC_OFFSET = 64;

const HEADER = '-----BEGIN OpenVPN Static key V1-----';
const FOOTER = '-----END OpenVPN Static key V1-----';
/** The name OpenVPN prints for a key given inline in a config file (<secret> ... </secret>). */
export const INLINE_FILE_TAG = '[[INLINE]]';

export interface KeyFileError {
  readonly kind: 'key-file-error';
  /** The fatal line exactly as OpenVPN 2.6.14 logs it (before "Exiting due to fatal error"). */
  readonly message: string;
  /** Lines OpenVPN logs just before the fatal one, if any. */
  readonly preceding?: readonly string[];
}

export function isKeyFileError(value: unknown): value is KeyFileError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'key-file-error';
}

function keyFileError(message: string, preceding?: readonly string[]): KeyFileError {
  return preceding ? { kind: 'key-file-error', message, preceding } : { kind: 'key-file-error', message };
}

// read_key_file()'s parse states.
const State = { Initial: 0, Head: 1, Data: 2, DataComplete: 3, Foot: 4, Finished: 5 } as const;
type State = (typeof State)[keyof typeof State];

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
// C's isspace() and isprint() in the "C" locale, which is what openvpn runs with.
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const hexValue = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/**
 * Parse a static key file. `content` is the file's bytes (a string is taken as UTF-8), `fileName`
 * the name to quote in errors. Returns the 256 key bytes or the error OpenVPN would report.
 */
export function parseStaticKey(content: string | Uint8Array, fileName: string = INLINE_FILE_TAG): Uint8Array | KeyFileError {
  const raw = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  if (raw.length === 0) return keyFileError(`Read error on key file ('${fileName}')`);

  const out = new Uint8Array(STATIC_KEY_LENGTH);
  const counts = (count: number): string => `(${count}/${KEY_SLOT_LENGTH}/${STATIC_KEY_LENGTH} bytes found/min/max)`;
  let state: State = State.Initial;
  let count = 0;
  let pendingNibble = -1;
  let lineNum = 1;
  let lineIndex = 0;
  let match = 0;

  const total = raw[raw.length - 1] === 0 ? raw.length : raw.length + 1;
  for (let i = 0; i < total; i++) {
    const c = i < raw.length ? (raw[i] as number) : 0;
    if (c === 0x0a) {
      lineIndex = 0;
      match = 0;
      lineNum++;
      continue;
    }
    if (lineIndex === 0) {
      if (state === State.Head) state = State.Data;
      if ((state === State.Data || state === State.DataComplete) && c === 0x2d) state = State.Foot;
    }
    if (state === State.Initial && lineIndex < HEADER.length && c === HEADER.charCodeAt(lineIndex)) {
      if (++match === HEADER.length) state = State.Head;
    }
    if (state === State.Foot && lineIndex < FOOTER.length && c === FOOTER.charCodeAt(lineIndex)) {
      if (++match === FOOTER.length) state = State.Finished;
    }
    if (state === State.Data) {
      if (isHex(c)) {
        if (pendingNibble < 0) {
          pendingNibble = hexValue(c);
        } else {
          out[count++] = (pendingNibble << 4) | hexValue(c);
          pendingNibble = -1;
          if (count === STATIC_KEY_LENGTH) state = State.DataComplete;
        }
      } else if (!isSpace(c)) {
        const where = `found at line ${lineNum} in key file '${fileName}' ${counts(count)}`;
        return keyFileError(
          isPrint(c)
            ? `Non-Hex character ('${String.fromCharCode(c)}') ${where}`
            : `Non-Hex, unprintable character (0x${c.toString(16).padStart(2, '0')}) ${where}`,
        );
      }
    }
    lineIndex++;
  }

  const keys = Math.floor(count / KEY_SLOT_LENGTH);
  if (keys === 0) {
    return keyFileError(`Insufficient key material or header text not found in file '${fileName}' ${counts(count)}`);
  }
  if (state !== State.Finished) {
    return keyFileError(`Footer text not found in file '${fileName}' ${counts(count)}`);
  }
  if (keys !== 2) {
    // M_ERR appends strerror(errno); 2.6.14 on Linux prints this stale ENOENT every time.
    return keyFileError(
      `File '${fileName}' does not have OpenVPN Static Key format.  Using free-form passphrase file is not supported anymore.: No such file or directory (errno=2)`,
    );
  }
  return out;
}

/** The file exactly as `openvpn --genkey secret` writes it (lowercase hex, 16 bytes a line). */
export function formatStaticKey(key: Uint8Array): string {
  if (key.length !== STATIC_KEY_LENGTH) throw new RangeError(`a static key is ${STATIC_KEY_LENGTH} bytes, got ${key.length}`);
  const lines: string[] = [];
  for (let off = 0; off < key.length; off += 16) {
    lines.push(Array.from(key.subarray(off, off + 16), (b) => b.toString(16).padStart(2, '0')).join(''));
  }
  return `#\n# ${STATIC_KEY_LENGTH * 8} bit OpenVPN static key\n#\n${HEADER}\n${lines.join('\n')}\n${FOOTER}\n`;
}

/** `--secret FILE [0|1]` / `--key-direction`: 0 or 1, or undefined for bidirectional. */
export type KeyDirection = 0 | 1 | undefined;

/** Parse the direction argument; the error text is OpenVPN's `Options error:` message. */
export function parseKeyDirection(arg: string | undefined): KeyDirection | KeyFileError {
  if (arg === undefined) return undefined;
  if (arg === '0') return 0;
  if (arg === '1') return 1;
  return keyFileError(`Unknown key direction '${arg}' -- must be '0' or '1'`);
}

export interface SlotKeys {
  /** The first cipher.keyLength bytes of the slot's cipher half. */
  readonly cipherKey: Uint8Array;
  /** The first auth.length bytes of the slot's HMAC half. */
  readonly hmacKey: Uint8Array;
}

export interface KeySlots {
  readonly encrypt: SlotKeys;
  readonly decrypt: SlotKeys;
  /** Which keys[] entry each way uses (key_direction_state_init). */
  readonly encryptSlot: 0 | 1;
  readonly decryptSlot: 0 | 1;
}

/**
 * Slice the key for one peer. Direction 0 sends with keys[0] and receives with keys[1], direction 1
 * the reverse, and no direction uses keys[0] both ways. The two peers of a tunnel need 0 and 1, or
 * both none.
 */
export function keySlots(key: Uint8Array, direction: KeyDirection, cipher: CipherSpec, auth: AuthSpec): KeySlots {
  if (key.length !== STATIC_KEY_LENGTH) throw new RangeError(`a static key is ${STATIC_KEY_LENGTH} bytes, got ${key.length}`);
  const encryptSlot = direction === 1 ? 1 : 0;
  const decryptSlot = direction === 0 ? 1 : 0;
  return {
    encrypt: slotKeys(key, encryptSlot, cipher, auth),
    decrypt: slotKeys(key, decryptSlot, cipher, auth),
    encryptSlot,
    decryptSlot,
  };
}

function slotKeys(key: Uint8Array, slot: 0 | 1, cipher: CipherSpec, auth: AuthSpec): SlotKeys {
  const base = slot * KEY_SLOT_LENGTH;
  return {
    cipherKey: new Uint8Array(key.subarray(base + SLOT_CIPHER_OFFSET, base + SLOT_CIPHER_OFFSET + cipher.keyLength)),
    hmacKey: new Uint8Array(key.subarray(base + SLOT_HMAC_OFFSET, base + SLOT_HMAC_OFFSET + auth.length)),
  };
}

/**
 * OpenVPN's verify_fix_key2(): refuse a key whose cipher part (the bytes the cipher would use) is
 * all zero, in either slot whatever the direction. Returns null when the key is fine.
 */
export function checkStaticKey(key: Uint8Array, cipher: CipherSpec, fileName: string = INLINE_FILE_TAG): KeyFileError | null {
  for (const slot of [0, 1] as const) {
    const base = slot * KEY_SLOT_LENGTH + SLOT_CIPHER_OFFSET;
    if (key.subarray(base, base + cipher.keyLength).every((b) => b === 0)) {
      return keyFileError(`Key #${slot + 1} in '${fileName}' is bad.  Try making a new key with --genkey.`, [
        'CRYPTO INFO: WARNING: zero key detected',
      ]);
    }
  }
  return null;
}
