import { readFileSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { checkOptions, fileErrorReason, type OptionKeys } from '../errors.js';

/**
 * Reader for the IDX format (LeCun's MNIST files), plain or gzipped. Node only.
 *
 * Layout: two zero bytes, a type code, the number of dimensions, then each dimension as a big-endian u32, then
 * the values big-endian, row-major. MNIST images are magic 0x00000803 (u8, 3 dims: count, rows, columns),
 * labels 0x00000801 (u8, 1 dim).
 *
 * Untrusted input: the header says how much data follows, so it is checked against what the file can actually
 * hold before anything of that size is allocated. A header claiming 10^9 images fails here, fast, with a message.
 */

export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxData {
  /** second byte pair of the magic number: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64 */
  typeCode: number;
  dims: number[];
  /** the values in native byte order; for u8 data a view into the file's bytes, not a copy */
  data: IdxArray;
}

export interface IdxExpectation {
  /** required type code (0x08 for MNIST) */
  typeCode?: number;
  /** required number of dimensions (3 for images, 1 for labels) */
  ndims?: number;
}

export const idxExpectationKeys: OptionKeys<IdxExpectation> = { typeCode: true, ndims: true };

interface IdxType {
  name: string;
  bytes: number;
  make(length: number): IdxArray;
  read(view: DataView, offset: number): number;
}

const IDX_TYPES: Record<number, IdxType> = {
  0x08: { name: 'u8', bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  0x09: { name: 'i8', bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'i16', bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  0x0c: { name: 'i32', bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  0x0d: { name: 'f32', bytes: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) },
  0x0e: { name: 'f64', bytes: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) },
};

/** Deflate cannot expand more than about 1032:1, so a gzip file of n bytes cannot hold more than this. */
const DEFLATE_MAX_RATIO = 1032;

export interface IdxHeader {
  typeCode: number;
  dims: number[];
  headerBytes: number;
  /** header plus data: what the (decompressed) file must hold exactly */
  totalBytes: number;
}

const hex = (bytes: Uint8Array, n: number) =>
  Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');

function magicOf(typeCode: number, ndims: number): string {
  return `0x0000${typeCode.toString(16).padStart(2, '0')}${ndims.toString(16).padStart(2, '0')}`;
}

/**
 * Header of IDX bytes, or null when `bytes` ends before the header does (only allowed when `partial`, i.e. the
 * bytes are a decompressed prefix).
 */
export function readHeader(bytes: Uint8Array, source: string, expect: IdxExpectation, partial: boolean): IdxHeader | null {
  const truncatedHeader = () => {
    if (partial) return null;
    throw new RangeError(`${source}: file is truncated: ${bytes.length} bytes, shorter than an IDX header`);
  };
  if (bytes.length < 4) return truncatedHeader();
  const typeCode = bytes[2]!;
  const ndims = bytes[3]!;
  const type = IDX_TYPES[typeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndims === 0) {
    throw new RangeError(
      `${source}: not an IDX file: it starts with ${hex(bytes, 4)} (IDX starts with 00 00, a type code 08-0e, and a dimension count)`,
    );
  }
  if ((expect.typeCode !== undefined && typeCode !== expect.typeCode) || (expect.ndims !== undefined && ndims !== expect.ndims)) {
    throw new RangeError(
      `${source}: wrong kind of IDX file: magic ${magicOf(typeCode, ndims)}, expected ${magicOf(expect.typeCode ?? typeCode, expect.ndims ?? ndims)}`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) return truncatedHeader();
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims = Array.from({ length: ndims }, (_, d) => view.getUint32(4 + 4 * d));
  // Products of u32s can exceed 2^53; any total that large is refused below long before precision matters.
  const count = dims.reduce((a, b) => a * b, 1);
  return { typeCode, dims, headerBytes, totalBytes: headerBytes + count * type.bytes };
}

export function describeHeader(h: IdxHeader): string {
  return `header dims [${h.dims.join(', ')}] of ${IDX_TYPES[h.typeCode]!.name} need ${h.totalBytes} bytes`;
}

/** Decompress just enough of a gzip stream to read the IDX header (a truncated stream is fine with SYNC_FLUSH). */
export function gzipHeader(bytes: Uint8Array, source: string, expect: IdxExpectation): IdxHeader {
  for (const prefix of [1024, 65536]) {
    const input = bytes.subarray(0, prefix);
    let head: Buffer;
    try {
      head = gunzipSync(input, {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: input.length * DEFLATE_MAX_RATIO + 1024,
      });
    } catch (err) {
      throw new RangeError(`${source}: corrupt gzip data (${(err as Error).message})`, { cause: err });
    }
    const header = readHeader(head, source, expect, true);
    if (header) return header;
    if (input.length === bytes.length) break;
  }
  throw new RangeError(`${source}: file is truncated: the gzip data ends before the IDX header does`);
}

/**
 * Whether a gzip file of `fileBytes` bytes ending in `trailer` (its last 4 bytes) can hold what the header says:
 * checked before inflating anything. `limit` caps the size further (a Buffer's maximum, when it is all inflated).
 */
export function checkGzipSize(header: IdxHeader, fileBytes: number, trailer: Uint8Array, source: string, limit = Infinity): void {
  const most = Math.min(limit, fileBytes * DEFLATE_MAX_RATIO);
  if (header.totalBytes > most) {
    throw new RangeError(
      `${source}: ${describeHeader(header)}, more than a ${fileBytes}-byte gzip file can hold (at most ${most}): the header is corrupt or the file truncated`,
    );
  }
  // The gzip trailer stores the uncompressed size mod 2^32: a cheap second opinion before inflating everything.
  if (fileBytes >= 18) {
    const recorded = new DataView(trailer.buffer, trailer.byteOffset, 4).getUint32(0, true);
    if (recorded !== header.totalBytes % 2 ** 32) {
      throw new RangeError(`${source}: ${describeHeader(header)}, but the gzip trailer records ${recorded}: truncated or corrupt file`);
    }
  }
}

function gunzipIdx(bytes: Uint8Array, source: string, expect: IdxExpectation): { raw: Uint8Array; header: IdxHeader } {
  const header = gzipHeader(bytes, source, expect);
  checkGzipSize(header, bytes.length, bytes.subarray(Math.max(0, bytes.length - 4)), source, bufferConstants.MAX_LENGTH);
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes, { maxOutputLength: header.totalBytes });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ERR_BUFFER_TOO_LARGE'
        ? `it holds more data than the header says (${describeHeader(header)})`
        : e.code === 'Z_BUF_ERROR'
          ? 'file is truncated (unexpected end of gzip data)'
          : `corrupt gzip data (${e.message})`;
    throw new RangeError(`${source}: ${why}`, { cause: err });
  }
  if (raw.length !== header.totalBytes) {
    throw new RangeError(`${source}: ${describeHeader(header)} but the file decompresses to ${raw.length}: truncated or corrupt`);
  }
  return { raw, header };
}

/**
 * Parse IDX bytes (gzipped when they start with 1f 8b). `source` names the data in errors (the file path).
 * `expect` narrows what is accepted, e.g. { typeCode: 0x08, ndims: 3 } for MNIST images.
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data', expect?: IdxExpectation): IdxData {
  expect = checkOptions('parseIdx: expect', expect, idxExpectationKeys);
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: bytes must be a Uint8Array (got ${typeof bytes})`);
  let raw: Uint8Array;
  let header: IdxHeader;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    ({ raw, header } = gunzipIdx(bytes, source, expect));
  } else {
    raw = bytes;
    header = readHeader(bytes, source, expect, false)!;
    if (raw.length !== header.totalBytes) {
      const what = raw.length < header.totalBytes ? 'truncated' : 'longer than its header says';
      throw new RangeError(`${source}: file is ${what}: ${describeHeader(header)}, the file has ${raw.length}`);
    }
  }
  const type = IDX_TYPES[header.typeCode]!;
  const length = (header.totalBytes - header.headerBytes) / type.bytes;
  if (header.typeCode === 0x08) {
    return { typeCode: header.typeCode, dims: header.dims, data: raw.subarray(header.headerBytes) };
  }
  const data = type.make(length);
  const view = new DataView(raw.buffer, raw.byteOffset + header.headerBytes, length * type.bytes);
  for (let i = 0; i < length; i++) data[i] = type.read(view, i * type.bytes);
  return { typeCode: header.typeCode, dims: header.dims, data };
}

/** Read and parse an IDX file (plain or .gz). Errors name the path. */
export function readIdxFile(path: string, expect?: IdxExpectation): IdxData {
  checkOptions('readIdxFile: expect', expect, idxExpectationKeys); // before the read: a typo costs no I/O
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read: ${fileErrorReason(err)}`, { cause: err });
  }
  return parseIdx(bytes, path, expect);
}

/** Encode values as IDX bytes (u8 only: what MNIST uses); for tests and for exporting data in the same format. */
export function encodeIdxU8(dims: number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > 255 || dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new RangeError(`encodeIdxU8: dims must be 1-255 u32 dimensions, got [${dims.join(', ')}]`);
  }
  if (data.length !== count) throw new RangeError(`encodeIdxU8: dims [${dims.join(', ')}] need ${count} values, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
