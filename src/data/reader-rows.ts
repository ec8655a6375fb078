/**
 * The streaming readers' rows on their way into batches (batcher.ts): an IDX file's bytes turned into floats, and
 * a shuffle buffer's exchanges of byte rows (IDX) or float rows (CSV). In JavaScript this took a third as long as
 * training on the rows, on the cores training uses: its loops run at a few ns per byte, and a shuffle buffer of
 * megabytes is read and written at random rows. The native core's loops (native/src/ops/reader_rows.cpp) run
 * whenever the addon loads, whichever backend the model uses; the references here are what they are tested
 * against, and the fallback without the addon.
 */
import { nativeAddon } from '../backends/native.js';

/** out[i] = bytes[i] / divisor rounded to float32, for i < bytes.length (out may be longer). */
export function bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array): void {
  const addon = nativeAddon();
  if (addon) addon.bytesToFloats(bytes, divisor, out);
  else bytesToFloatsReference(bytes, divisor, out);
}

export function bytesToFloatsReference(bytes: Uint8Array, divisor: number, out: Float32Array): void {
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / divisor;
}

/**
 * A shuffle buffer's exchanges of `width`-byte rows, in order i = 0 .. count-1: row slots[i] of `store` leaves
 * for row i of `out` as floats (bytes / divisor), and row sources[i] of `source` (which may be `store`) takes
 * its place.
 */
export function exchangeByteRows(
  store: Uint8Array, source: Uint8Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number, divisor: number, out: Float32Array,
): void {
  const addon = nativeAddon();
  if (addon) addon.exchangeByteRows(store, source, slots, sources, count, width, divisor, out);
  else exchangeByteRowsReference(store, source, slots, sources, count, width, divisor, out);
}

export function exchangeByteRowsReference(
  store: Uint8Array, source: Uint8Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number, divisor: number, out: Float32Array,
): void {
  exchangeRowsReference(store, source, slots, sources, count, width, (from, to) => {
    for (let b = 0; b < width; b++) out[to + b] = store[from + b]! / divisor;
  });
}

/** exchangeByteRows for rows of floats, which leave as they are. */
export function exchangeFloatRows(
  store: Float32Array, source: Float32Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number, out: Float32Array,
): void {
  const addon = nativeAddon();
  if (addon) addon.exchangeFloatRows(store, source, slots, sources, count, width, out);
  else exchangeFloatRowsReference(store, source, slots, sources, count, width, out);
}

export function exchangeFloatRowsReference(
  store: Float32Array, source: Float32Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number, out: Float32Array,
): void {
  exchangeRowsReference(store, source, slots, sources, count, width, (from, to) => out.set(store.subarray(from, from + width), to));
}

/** Both references' exchanges: `leave(from, to)` sends store[from ..] to out[to ..], then the source row takes its place. */
function exchangeRowsReference<A extends Uint8Array | Float32Array>(
  store: A, source: A, slots: Uint32Array, sources: Uint32Array, count: number, width: number, leave: (from: number, to: number) => void,
): void {
  for (let i = 0; i < count; i++) {
    const j = slots[i]! * width;
    const s = sources[i]! * width;
    leave(j, i * width);
    if (source === store) store.copyWithin(j, s, s + width);
    else store.set(source.subarray(s, s + width) as ArrayLike<number>, j);
  }
}
