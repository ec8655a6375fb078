#include "core/status.h"

#include <cstdarg>
#include <cstdio>

namespace nrt {

namespace {
thread_local char error_message[512] = "";
}

nrt_status fail(nrt_status status, const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(error_message, sizeof error_message, format, args);
  va_end(args);
  return status;
}

const char* last_error() { return error_message; }

void clear_error() { error_message[0] = '\0'; }

}  // namespace nrt
