/**
 * The few protocol-buffer encodings an ONNX file needs, written by hand so that exporting pulls in no
 * dependency. A message is the concatenation of its fields; each field is a tag (field number << 3 | wire type)
 * followed by a varint, a fixed 32-bit value or a length-prefixed byte string (which is also how a nested
 * message is embedded). https://protobuf.dev/programming-guides/encoding/
 */

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Base-128 varint; negative int64 values take the ten-byte two's-complement form protobuf requires. */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function tag(field: number, wireType: number): Uint8Array {
  return varint((field << 3) | wireType);
}

/** int32, int64 and enum fields. */
export function intField(field: number, value: number | bigint): Uint8Array {
  return concat([tag(field, VARINT), varint(value)]);
}

export function floatField(field: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return concat([tag(field, FIXED32), bytes]);
}

export function bytesField(field: number, data: Uint8Array): Uint8Array {
  return concat([tag(field, LENGTH_DELIMITED), varint(data.length), data]);
}

export function stringField(field: number, text: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(text));
}

/** An embedded message: its encoded fields, length-prefixed. */
export function messageField(field: number, fields: Uint8Array[]): Uint8Array {
  return bytesField(field, concat(fields));
}
