// Errors inside the core are status codes plus a per-thread message, not exceptions: the same core compiles
// for WASM, where exception support costs size and speed, and nothing may unwind through the C ABI.
#pragma once

#include "neurite/neurite.h"

namespace nrt {

// Formats the message of the failing call (printf style) into the calling thread's buffer; returns status.
nrt_status fail(nrt_status status, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

const char* last_error();
void clear_error();

}  // namespace nrt

#define NRT_RETURN_IF_ERROR(expr)          \
  do {                                     \
    const nrt_status nrt_status_ = (expr); \
    if (nrt_status_ != NRT_OK) return nrt_status_; \
  } while (0)
