// Plain numeric CSV lines read from the file's bytes, for the streaming CSV reader (src/data/csv-stream.ts). Its
// TypeScript twin, readNumericLine in src/data/csv-numbers.ts, reads one line of decoded text; this reads as many
// lines as it can in one call, from the bytes before they are decoded. Both accept exactly the same lines and
// give exactly the same numbers (the test holds them together); any other line is left to the reader's general
// path, which also words the errors. In JavaScript, a file of hundreds of numeric columns parses three times
// slower than W1 trains on it.
#pragma once

#include <cstdint>

namespace nrt::ops {

// Where each column of a line goes: a feature index >= 0, or one of these.
constexpr int32_t kCsvNumericTarget = -1;
constexpr int32_t kCsvTextTarget = -2;

struct CsvLines {
  const uint8_t* text;  // UTF-8 bytes of whole lines (the last one may lack its line break)
  int64_t length;
  uint8_t delimiter;    // an ASCII character other than space, tab, quote or a line break
  const int32_t* slots;  // per column: a feature index < features, kCsvNumericTarget or kCsvTextTarget
  int32_t columns;
  int32_t features;
  // row r of the output: features at x[r * features + slot], the numeric target at targets[r], the text
  // target's bounds (blanks around it included) at spans[2r], spans[2r + 1], the line's start at starts[r]
  float* x;
  float* targets;
  int32_t* spans;
  int32_t* starts;
};

// Reads lines from byte offset `start` while each is a plain numeric line (as readNumericLine reads it), at most
// max_rows of them; returns how many, and in *next the offset of the first line not read (length at the end).
// It stops before a line it cannot read that way: a blank line, a quote, a number of more than 15 digits or with
// an exponent beyond ±22, a field count other than `columns`, anything not a number.
int64_t read_numeric_lines(const CsvLines& lines, int64_t start, int64_t max_rows, int64_t* next);

}  // namespace nrt::ops
