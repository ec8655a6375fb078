import type { Where } from './untrusted.js';

/**
 * Reading the protocol-buffer wire format from untrusted bytes (https://protobuf.dev/programming-guides/encoding/),
 * for ONNX import. A message is a sequence of (tag, value); tag = field number << 3 | wire type, and the value is
 * a varint (0), 8 fixed bytes (1), a length-prefixed byte string (2, also how a nested message is embedded) or 4
 * fixed bytes (5). Wire types 3 and 4 (groups) are obsolete and refused, as are 6 and 7.
 *
 * What makes it safe on hostile input:
 *   - every length is checked against the bytes that remain before anything is sliced, and slices are views
 *     (subarray), never copies: reading the structure allocates nothing sized by a number in the file;
 *   - varints longer than 10 bytes or beyond 64 bits are errors, not silent wrap-arounds;
 *   - the callers walk a fixed message structure (model → graph → node → attribute), so nesting depth is bounded
 *     by the code, not by the file.
 * The only large allocations are tensor values, and they go through an AllocationBudget set to the file's size.
 */

export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

export interface ProtoField {
  number: number;
  wire: number;
  /** VARINT: the raw 64-bit value */
  varint: bigint;
  /** LENGTH_DELIMITED, FIXED32, FIXED64: the value's bytes (a view into the message) */
  bytes: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** A varint at bytes[at]; returns the value and the position after it. */
export function readVarint(bytes: Uint8Array, at: number, where: Where): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (at + i >= bytes.length) where.error(`a varint runs past the end of its message (at byte ${at})`);
    const b = bytes[at + i]!;
    if (i === 9 && b > 1) where.error(`a varint is wider than 64 bits (at byte ${at})`);
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return where.error(`a varint is longer than 10 bytes (at byte ${at})`);
}

/** Calls visit for each field of the message, in order. Unknown fields are the caller's to skip. */
export function forEachField(message: Uint8Array, where: Where, visit: (field: ProtoField) => void): void {
  let at = 0;
  while (at < message.length) {
    const tag = readVarint(message, at, where);
    at = tag.next;
    if (tag.value > 0xffffffffn) where.error(`field tag ${tag.value} is out of range`);
    const key = Number(tag.value);
    const number = Math.floor(key / 8);
    const wire = key & 7;
    if (number === 0) where.error('field number 0 is not valid protobuf');
    let varint = 0n;
    let bytes: Uint8Array = EMPTY;
    switch (wire) {
      case WireType.VARINT: {
        const v = readVarint(message, at, where);
        varint = v.value;
        at = v.next;
        break;
      }
      case WireType.FIXED64:
      case WireType.FIXED32: {
        const size = wire === WireType.FIXED64 ? 8 : 4;
        if (at + size > message.length) where.error(`field ${number}: a fixed ${size * 8}-bit value runs past the end of its message`);
        bytes = message.subarray(at, at + size);
        at += size;
        break;
      }
      case WireType.LENGTH_DELIMITED: {
        const length = readVarint(message, at, where);
        at = length.next;
        if (length.value > BigInt(message.length - at)) {
          where.error(`field ${number}: length ${length.value} exceeds the ${message.length - at} bytes left in its message`);
        }
        bytes = message.subarray(at, at + Number(length.value));
        at += bytes.length;
        break;
      }
      default:
        where.error(`field ${number}: wire type ${wire} is not one this reader accepts (groups and reserved types)`);
    }
    visit({ number, wire, varint, bytes });
  }
}

/** An int64 field as a number; out-of-range values (beyond ±2^53) are an error rather than a rounded number. */
export function int64(field: ProtoField, where: Where): number {
  if (field.wire !== WireType.VARINT) where.error(`field ${field.number}: expected an integer (wire type 0), got wire type ${field.wire}`);
  const v = BigInt.asIntN(64, field.varint);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) where.error(`field ${field.number}: integer ${v} is out of range`);
  return Number(v);
}

export function float32(field: ProtoField, where: Where): number {
  if (field.wire !== WireType.FIXED32) where.error(`field ${field.number}: expected a float (wire type 5), got wire type ${field.wire}`);
  return new DataView(field.bytes.buffer, field.bytes.byteOffset, 4).getFloat32(0, true);
}

export function lengthDelimited(field: ProtoField, where: Where): Uint8Array {
  if (field.wire !== WireType.LENGTH_DELIMITED) where.error(`field ${field.number}: expected a string or message (wire type 2), got wire type ${field.wire}`);
  return field.bytes;
}

/**
 * Repeated integers, packed (one length-delimited run of varints) or not (one varint per field occurrence):
 * both are valid encodings of the same field. `into` grows by at most one entry per byte read.
 */
export function repeatedInt64(field: ProtoField, where: Where, into: number[], maxCount: number): void {
  const push = (v: number) => {
    if (into.length >= maxCount) where.error(`field ${field.number}: more than ${maxCount} values`);
    into.push(v);
  };
  if (field.wire === WireType.VARINT) return push(int64(field, where));
  const run = lengthDelimited(field, where);
  let at = 0;
  while (at < run.length) {
    const v = readVarint(run, at, where);
    at = v.next;
    const signed = BigInt.asIntN(64, v.value);
    if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < -BigInt(Number.MAX_SAFE_INTEGER)) where.error(`field ${field.number}: integer ${signed} is out of range`);
    push(Number(signed));
  }
}

/**
 * The reader's promise, enforced: the tensor values it decodes never add up to more bytes than the file has.
 * Each value it decodes comes from distinct bytes of the file, so this cannot trip on any input; if it ever
 * does, a size check is missing. That is a bug, not a bad file, so it throws a plain Error (the fuzz tests
 * count anything other than FileFormatError as a failure).
 */
export class AllocationBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  take(bytes: number, what: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new Error(`protobuf reader: ${what} would take the decoded data to ${this.used} bytes, beyond the file's ${this.limit}: a size check is missing`);
    }
  }
}
