#include "ops/reader_rows.h"

#include <cstring>

#include "core/target_clones.h"

namespace nrt::ops {

// One f32 division, correctly rounded, gives the float nearest b / divisor: what JavaScript's
// Math.fround(b / divisor) gives for the divisors the reader uses (255 and 1; the test checks all 256 bytes).
// For 255 the f64 quotient cannot sit on a float32 rounding boundary: b / 255 repeats b's 8 bits forever past
// the float's 24, so rounding twice (to f64, then f32) lands where rounding once does.
NRT_VECTOR_CLONES void bytes_to_floats(const uint8_t* bytes, int64_t n, float divisor, float* out) {
  for (int64_t i = 0; i < n; i++) out[i] = static_cast<float>(bytes[i]) / divisor;
}

namespace {

// Rows this far ahead are fetched while the current one is copied: the slots are random, so the hardware
// prefetcher cannot guess them, and one row waits on memory only if the fetch of it was issued too late.
constexpr int64_t kAhead = 4;

template <typename T>
void prefetch_row(const T* row, int64_t width) {
  const auto* bytes = reinterpret_cast<const char*>(row);
  for (int64_t b = 0; b < width * static_cast<int64_t>(sizeof(T)); b += 64) __builtin_prefetch(bytes + b, 1);
}

// The exchanges, whatever a row holds: `leave(row, i)` writes store row `row` to out row i.
template <typename T, typename Leave>
void exchange_rows(T* store, const T* source, const uint32_t* slots, const uint32_t* sources, int64_t count,
                   int64_t width, Leave leave) {
  for (int64_t i = 0; i < count && i < kAhead; i++) prefetch_row(store + int64_t{slots[i]} * width, width);
  for (int64_t i = 0; i < count; i++) {
    if (i + kAhead < count) prefetch_row(store + int64_t{slots[i + kAhead]} * width, width);
    T* row = store + int64_t{slots[i]} * width;
    leave(row, i);
    // memmove: draining the buffer moves a row onto itself when the random slot is the last held one
    std::memmove(row, source + int64_t{sources[i]} * width, static_cast<size_t>(width) * sizeof(T));
  }
}

}  // namespace

void exchange_byte_rows(uint8_t* store, const uint8_t* source, const uint32_t* slots, const uint32_t* sources,
                        int64_t count, int64_t width, float divisor, float* out) {
  exchange_rows(store, source, slots, sources, count, width,
                [&](const uint8_t* row, int64_t i) { bytes_to_floats(row, width, divisor, out + i * width); });
}

void exchange_float_rows(float* store, const float* source, const uint32_t* slots, const uint32_t* sources,
                         int64_t count, int64_t width, float* out) {
  exchange_rows(store, source, slots, sources, count, width, [&](const float* row, int64_t i) {
    std::memcpy(out + i * width, row, static_cast<size_t>(width) * sizeof(float));
  });
}

}  // namespace nrt::ops
