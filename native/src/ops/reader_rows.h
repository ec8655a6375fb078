// The streaming readers' rows on their way into batches (src/data/batcher.ts; the TypeScript references are in
// src/data/reader-rows.ts): an IDX file's bytes turned into floats, and the exchanges of a shuffle buffer of byte
// rows (IDX) or float rows (CSV). Done in JavaScript, this work took a third as long as training on the rows, on
// the cores training uses: its loops run at a few ns per byte, and a shuffle buffer of megabytes is read and
// written at random rows, a cache miss every 64 bytes.
#pragma once

#include <cstdint>

namespace nrt::ops {

// out[i] = bytes[i] / divisor, rounded to float32, for i in [0, n).
void bytes_to_floats(const uint8_t* bytes, int64_t n, float divisor, float* out);

// The exchanges of a shuffle buffer (reservoir) of `width`-byte rows, in order i = 0 .. count-1: row slots[i]
// of `store` leaves for row i of `out`, as floats (bytes / divisor), and row sources[i] of `source` takes its
// place. `source` may be `store` itself (draining the buffer at the end of a pass). Indices are trusted here;
// nrt_exchange_byte_rows checks them.
void exchange_byte_rows(uint8_t* store, const uint8_t* source, const uint32_t* slots, const uint32_t* sources,
                        int64_t count, int64_t width, float divisor, float* out);

// The same exchanges for rows of floats (a CSV reader's), copied as they are.
void exchange_float_rows(float* store, const float* source, const uint32_t* slots, const uint32_t* sources,
                         int64_t count, int64_t width, float* out);

}  // namespace nrt::ops
