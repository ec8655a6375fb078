import { BYTES_PER_VALUE, decodeFloats, type FloatFormat } from './float-formats.js';
import { asArray, asInt, asObject, decodeUtf8, field, isObject, parseJson, Where } from './untrusted.js';

/**
 * The safetensors container (https://github.com/huggingface/safetensors). Browser-safe: bytes in, bytes out.
 * neurite writes F32; it reads F32, F16, BF16 and F64 (what PyTorch state_dicts hold), converted to float32.
 *
 *   [u64 little-endian N][N bytes of JSON header, space-padded][data section]
 *   header = { "__metadata__": {string: string}, name: { dtype, shape, data_offsets: [begin, end) }, ... }
 *
 * Offsets are relative to the data section; values are little-endian, row-major. The decoder trusts nothing it
 * reads: the header length is checked against the file before a byte of it is decoded, every shape and offset
 * against the data section before any array is allocated, so no file can make it allocate more than twice its
 * own size (F16 and BF16 values widen to four bytes).
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsContents {
  /** the `__metadata__` string map ({} when absent) */
  metadata: Record<string, string>;
  /** tensors by name, in file order; data are fresh, aligned float32 copies; dtype is what the file stored */
  tensors: Map<string, { shape: number[]; data: Float32Array; dtype: FloatFormat }>;
}

/** Headers of real models are a few kilobytes; 16 MiB leaves room for a hundred thousand tensors. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const MAX_RANK = 8;
const METADATA_KEY = '__metadata__';
/** dtype names of the format, to tell "not supported" apart from "not a dtype". */
const KNOWN_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

/** The dtypes read (all converted to float32). */
const FLOAT_DTYPES: readonly FloatFormat[] = ['F32', 'F16', 'BF16', 'F64'];

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY || Object.prototype.hasOwnProperty.call(header, t.name)) {
      throw new Error(`encodeSafetensors: duplicate or reserved tensor name ${JSON.stringify(t.name)}`);
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`encodeSafetensors: tensor ${t.name} has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${count}`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data section starts 8-byte aligned (the format's recommendation; readers may mmap it).
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    if (littleEndianHost) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i]!, true);
    }
    at += t.data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: FloatFormat;
  count: number;
  shape: number[];
  begin: number;
  end: number;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsContents {
  const top = new Where(source);
  if (!(bytes instanceof Uint8Array)) top.fail('the file contents as a Uint8Array', bytes);
  if (bytes.length < 8) top.error(`file too short (${bytes.length} bytes): a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const room = bytes.length - 8;
  if (high !== 0 || low > room) {
    const stated = (BigInt(high) << 32n) | BigInt(low);
    top.error(`header length ${stated} exceeds the file (${bytes.length} bytes): the file is truncated or not safetensors`);
  }
  if (low > MAX_HEADER_BYTES) top.error(`header length ${low} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (low < 2) top.error(`header length ${low} is too small for a JSON header`);
  const headerAt = top.key('header');
  const text = decodeUtf8(bytes.subarray(8, 8 + low), headerAt);
  if (text[0] !== '{') headerAt.error('the JSON header must start with "{"');
  const header = asObject(parseJson(text, headerAt), headerAt);

  const dataStart = 8 + low;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const name of Object.keys(header)) {
    const at = headerAt.key(name);
    const value = header[name];
    if (name === METADATA_KEY) {
      metadata = readMetadata(value, at);
      continue;
    }
    entries.push(readEntry(name, value, at, dataLength));
  }

  // The format requires the tensors to tile the data section exactly: no overlap, no hole, nothing after.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < covered) {
      top.error(`tensor ${JSON.stringify(e.name)} at bytes [${e.begin}, ${e.end}) overlaps tensor ${JSON.stringify(previous!.name)} at [${previous!.begin}, ${previous!.end})`);
    }
    if (e.begin > covered) top.error(`bytes [${covered}, ${e.begin}) of the data section belong to no tensor`);
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) {
    top.error(`the data section has ${dataLength} bytes but the tensors cover ${covered}: the file is truncated or has trailing bytes`);
  }

  const tensors: SafetensorsContents['tensors'] = new Map();
  for (const e of entries) tensors.set(e.name, { shape: e.shape, dtype: e.dtype, data: decodeFloats(bytes, dataStart + e.begin, e.count, e.dtype) });
  return { metadata, tensors };
}

function readMetadata(value: unknown, at: Where): Record<string, string> {
  if (!isObject(value)) at.fail('an object mapping strings to strings', value);
  const out: Record<string, string> = Object.create(null);
  for (const key of Object.keys(value)) {
    const v = value[key];
    out[key] = typeof v === 'string' ? v : at.key(key).fail('a string (metadata values are strings)', v);
  }
  return out;
}

function readEntry(name: string, value: unknown, at: Where, dataLength: number): Entry {
  const o = asObject(value, at);
  const rawDtype = field(o, 'dtype');
  if (!(FLOAT_DTYPES as readonly unknown[]).includes(rawDtype)) {
    if (typeof rawDtype === 'string' && KNOWN_DTYPES.includes(rawDtype)) {
      at.key('dtype').error(`dtype ${rawDtype} is not supported: neurite reads floating-point weights (${FLOAT_DTYPES.join(', ')})`);
    }
    at.key('dtype').fail(FLOAT_DTYPES.map((d) => `'${d}'`).join(', '), rawDtype);
  }
  const dtype = rawDtype as FloatFormat;
  const width = BYTES_PER_VALUE[dtype];
  const shapeAt = at.key('shape');
  const rawShape = asArray(field(o, 'shape'), shapeAt, MAX_RANK);
  const maxCount = Math.floor(dataLength / width);
  const shape: number[] = [];
  let count = 1;
  rawShape.forEach((d, i) => {
    shape.push(asInt(d, shapeAt.index(i), 0, Number.MAX_SAFE_INTEGER));
  });
  if (shape.includes(0)) count = 0;
  else {
    for (const d of shape) {
      count *= d;
      if (count > maxCount) {
        shapeAt.error(`shape [${shape.join(', ')}] holds more values than the whole data section (${dataLength} bytes) can`);
      }
    }
  }
  const offAt = at.key('data_offsets');
  const offsets = asArray(field(o, 'data_offsets'), offAt, 2);
  if (offsets.length !== 2) offAt.fail('[begin, end]', offsets);
  const begin = asInt(offsets[0], offAt.index(0), 0, dataLength);
  const end = asInt(offsets[1], offAt.index(1), 0, dataLength);
  if (end < begin) offAt.error(`end ${end} is before begin ${begin}`);
  if (end - begin !== count * width) {
    offAt.error(`[${begin}, ${end}) spans ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${count * width}`);
  }
  return { name, dtype, count, shape, begin, end };
}
