// Checking what JavaScript passes before it reaches the core: every argument by name, with a TypeError for the
// wrong kind of value and a RangeError for a value out of range. Nothing a caller passes may crash the process,
// so lengths are checked here against what the core will read.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "neurite/neurite.h"

namespace nrt_node {

// "native backend: <method>: <message>" errors.
[[noreturn]] void throw_type_error(Napi::Env env, const std::string& method, const std::string& message);
[[noreturn]] void throw_range_error(Napi::Env env, const std::string& method, const std::string& message);
// The error the core reported (nrt_last_error), as the JS error type its status calls for, with .code set.
Napi::Error status_error(Napi::Env env, const std::string& method, nrt_status status, const std::string& message);

std::string describe(Napi::Value v);

struct Float32View {
  float* data;
  int64_t length;
};

// A Float32Array argument holding exactly `expected` floats (-1: any length). Views on resizable or growable
// buffers are refused when `for_async` (the buffer could shrink under a running worker).
Float32View float32_array(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v,
                          int64_t expected, bool for_async);
int64_t integer(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v, int64_t min,
                int64_t max);
double number(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v, double min,
              double max, bool max_inclusive = true);
bool boolean(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v);
std::string string(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v);
Napi::Object object(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v);
// A string that must be one of names[0..count); returns its index.
int32_t one_of(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v,
               const char* const* names, int32_t count);

}  // namespace nrt_node
