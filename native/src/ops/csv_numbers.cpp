#include "ops/csv_numbers.h"

#include <cstring>

namespace nrt::ops {

namespace {

// 10^0 .. 10^22: every one an exact double, so m * 10^e and m / 10^e (m below 2^53) round once, correctly
// (Clinger's fast path): the same double as JavaScript's Number(text).
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool is_digit(int c) { return c >= '0' && c <= '9'; }

// The common field, a run of 1..7 digits ended by the delimiter or the line, read 8 bytes at a time without a
// branch per character (the byte loop below mispredicts where each run ends). The bytes are loaded
// little-endian: the field's first character is the lowest byte.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kSwarDigits = true;
#else
constexpr bool kSwarDigits = false;
#endif

// Digit values (byte - '0') of 8 bytes, and how many of them lead before the first non-digit (0..8). Bytes
// below the first non-digit are exact: only a non-digit borrows or carries into the byte above it.
int digit_run(uint64_t bytes, uint64_t* values) {
  const uint64_t v = bytes - 0x3030303030303030ull;
  const uint64_t non_digit = (v | (v + 0x7676767676767676ull)) & 0x8080808080808080ull;
  *values = v;
  return non_digit == 0 ? 8 : __builtin_ctzll(non_digit) >> 3;
}

// The number of n (1..7) leading digit values, the first the most significant.
uint64_t digits_value(uint64_t values, int n) {
  uint64_t v = values << (64 - 8 * n);  // the n digits to the top, zeros (leading zeros) below
  v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ffull;
  v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffffull;
  return (v * 10000 + (v >> 32)) & 0xffffffffull;
}

// A field at text[i] that is 1..7 digits and nothing else: its value (exact, as the general path below gives
// it) to *value and i moved past it. False, with nothing moved, for any other field.
bool plain_digits(const CsvLines& L, int64_t& i, int64_t end, float* value) {
  if (!kSwarDigits || i + 8 > L.length) return false;
  uint64_t bytes, values;
  std::memcpy(&bytes, L.text + i, 8);
  const int n = digit_run(bytes, &values);
  // the bytes from the line's end on are line breaks (not digits), so i + n <= end
  if (n == 0 || n == 8 || (i + n < end && L.text[i + n] != L.delimiter)) return false;
  *value = static_cast<float>(digits_value(values, n));
  i += n;
  return true;
}

// One line, text[i, end), as readNumericLine reads it: statement for statement, with a byte past the line read
// as 0 where JavaScript's charCodeAt gives the line break (or NaN at the end): neither matches anything.
bool read_line(const CsvLines& L, int64_t i, int64_t end, int64_t row) {
  const uint8_t* text = L.text;
  auto at = [&](int64_t k) -> int { return k < end ? text[k] : 0; };
  float* x = L.x + row * L.features;
  for (int32_t field = 0;; field++) {
    if (field == L.columns) return false;
    const int32_t slot = L.slots[field];
    if (slot == kCsvTextTarget) {
      L.spans[2 * row] = static_cast<int32_t>(i);
      while (i < end && text[i] != L.delimiter) {
        if (text[i] == '"') return false;
        i++;
      }
      L.spans[2 * row + 1] = static_cast<int32_t>(i);
    } else if (float run; plain_digits(L, i, end, &run)) {
      if (slot >= 0) x[slot] = run;
      else L.targets[row] = run;
    } else {
      int c = at(i);
      while (c == ' ' || c == '\t') c = at(++i);
      bool negative = false;
      if (c == '-') {
        negative = true;
        c = at(++i);
      } else if (c == '+') {
        c = at(++i);
      }
      // m in an integer while it is read (it is exact in a double from 15 digits down, and rejected above that;
      // past 19 digits it wraps, and is rejected all the same)
      uint64_t m = 0;
      int digits = 0;
      int exponent = 0;
      while (is_digit(c)) {
        m = m * 10 + static_cast<uint64_t>(c - '0');
        digits++;
        c = at(++i);
      }
      if (c == '.') {
        c = at(++i);
        while (is_digit(c)) {
          m = m * 10 + static_cast<uint64_t>(c - '0');
          digits++;
          exponent--;
          c = at(++i);
        }
      }
      if (digits == 0 || digits > 15) return false;
      if (c == 'e' || c == 'E') {
        c = at(++i);
        int sign = 1;
        if (c == '-') {
          sign = -1;
          c = at(++i);
        } else if (c == '+') {
          c = at(++i);
        }
        int e = 0;
        int e_digits = 0;
        while (is_digit(c) && e_digits < 4) {
          e = e * 10 + (c - '0');
          e_digits++;
          c = at(++i);
        }
        if (e_digits == 0 || is_digit(c)) return false;
        exponent += sign * e;
      }
      if (exponent < -22 || exponent > 22) return false;
      const double mantissa = static_cast<double>(m);
      const double magnitude = exponent == 0 ? mantissa : exponent > 0 ? mantissa * kPow10[exponent] : mantissa / kPow10[-exponent];
      const double v = negative ? -magnitude : magnitude;
      while (c == ' ' || c == '\t') c = at(++i);
      if (i < end && c != L.delimiter) return false;
      if (slot >= 0) x[slot] = static_cast<float>(v);
      else L.targets[row] = static_cast<float>(v);
    }
    if (i >= end) return field + 1 == L.columns;
    i++;  // past the delimiter
  }
}

// A line of only spaces and tabs: the general path skips it (counting its line).
bool blank(const uint8_t* text, int64_t i, int64_t end) {
  for (; i < end; i++)
    if (text[i] != ' ' && text[i] != '\t') return false;
  return true;
}

}  // namespace

int64_t read_numeric_lines(const CsvLines& L, int64_t start, int64_t max_rows, int64_t* next) {
  int64_t i = start;
  int64_t rows = 0;
  while (i < L.length && rows < max_rows) {
    // the line ends at the first LF or CR (memchr: a byte loop here cost a tenth of the parse)
    const void* lf = std::memchr(L.text + i, '\n', static_cast<size_t>(L.length - i));
    int64_t end = lf ? static_cast<const uint8_t*>(lf) - L.text : L.length;
    if (const void* cr = std::memchr(L.text + i, '\r', static_cast<size_t>(end - i))) end = static_cast<const uint8_t*>(cr) - L.text;
    if (blank(L.text, i, end) || !read_line(L, i, end, rows)) break;
    L.starts[rows] = static_cast<int32_t>(i);
    rows++;
    i = end < L.length && L.text[end] == '\r' && end + 1 < L.length && L.text[end + 1] == '\n' ? end + 2 : end + 1;
  }
  *next = i < L.length ? i : L.length;
  return rows;
}

}  // namespace nrt::ops
