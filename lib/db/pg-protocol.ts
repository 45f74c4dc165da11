// The few PostgreSQL wire-protocol messages (PostgreSQL docs §55.7 "Message Formats") that the
// embedded database's queue reads or writes itself: Query and Parse, to screen their SQL and to put
// a refusal in their place. Everything else passes through to PGlite as bytes.

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

export const MESSAGE_TYPE = {
  QUERY: 0x51, // 'Q'
  PARSE: 0x50, // 'P'
  SYNC: 0x53, // 'S'
  TERMINATE: 0x58, // 'X'
} as const;

/** The SQL of a simple Query ('Q'). */
export function readQuery(message: Uint8Array): string {
  return new Reader(message, 5).cstring();
}

export interface ParseMessage {
  statementName: string;
  sql: string;
  parameterTypes: number[];
}

export function readParse(message: Uint8Array): ParseMessage {
  const reader = new Reader(message, 5);
  const statementName = reader.cstring();
  const sql = reader.cstring();
  const count = reader.int16();
  const parameterTypes = Array.from({ length: count }, () => reader.uint32());
  return { statementName, sql, parameterTypes };
}

export function queryMessage(sql: string): Uint8Array {
  return message(MESSAGE_TYPE.QUERY, [cstring(sql)]);
}

export function parseMessage({ statementName, sql, parameterTypes }: ParseMessage): Uint8Array {
  const types = new Uint8Array(2 + 4 * parameterTypes.length);
  const view = new DataView(types.buffer);
  view.setInt16(0, parameterTypes.length);
  for (const [i, oid] of parameterTypes.entries()) view.setUint32(2 + 4 * i, oid);
  return message(MESSAGE_TYPE.PARSE, [cstring(statementName), cstring(sql), types]);
}

/** A typed message: its letter, then its length (which counts itself but not the letter). */
function message(type: number, parts: Uint8Array[]): Uint8Array {
  const length = 4 + parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(1 + length);
  out[0] = type;
  new DataView(out.buffer).setInt32(1, length);
  let offset = 5;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function cstring(text: string): Uint8Array {
  const bytes = ENCODER.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Reads fields in order; past the end of the message it throws (a malformed message). */
class Reader {
  readonly #view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private offset: number,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  cstring(): string {
    const end = this.bytes.indexOf(0, this.offset);
    if (end === -1) throw new RangeError("unterminated string in a protocol message");
    const text = DECODER.decode(this.bytes.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }

  int16(): number {
    const value = this.#view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }

  uint32(): number {
    const value = this.#view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }
}

const NOTIFICATION_RESPONSE = 0x41; // 'A'

/**
 * Finds the NotificationResponse messages ('A': process id, channel, payload) in what the backend
 * sends for one exchange, read chunk by chunk as it streams; every other message is skipped
 * without being copied. One scanner per exchange: an exchange's output is whole messages.
 */
export class NotificationScanner {
  readonly #header = new Uint8Array(5);
  #headerLength = 0;
  #skip = 0;
  #body: Uint8Array | null = null;
  #bodyLength = 0;

  constructor(private readonly found: (channel: string, payload: string) => void) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
      } else if (this.#body) {
        const n = Math.min(this.#body.length - this.#bodyLength, chunk.length - i);
        this.#body.set(chunk.subarray(i, i + n), this.#bodyLength);
        this.#bodyLength += n;
        i += n;
        if (this.#bodyLength === this.#body.length) this.#notification();
      } else {
        this.#header[this.#headerLength++] = chunk[i++] as number;
        if (this.#headerLength < 5) continue;
        this.#headerLength = 0;
        const length = new DataView(this.#header.buffer).getUint32(1) - 4;
        if (this.#header[0] === NOTIFICATION_RESPONSE && length > 0) {
          this.#body = new Uint8Array(length);
          this.#bodyLength = 0;
        } else {
          this.#skip = Math.max(length, 0);
        }
      }
    }
  }

  #notification(): void {
    const reader = new Reader(this.#body as Uint8Array, 4);
    this.#body = null;
    const channel = reader.cstring();
    const payload = reader.cstring();
    this.found(channel, payload);
  }
}
