#include "arguments.h"

#include <cmath>
#include <sstream>

namespace nrt_node {

void throw_type_error(Napi::Env env, const std::string& method, const std::string& message) {
  throw Napi::TypeError::New(env, "native backend: " + method + ": " + message);
}

void throw_range_error(Napi::Env env, const std::string& method, const std::string& message) {
  throw Napi::RangeError::New(env, "native backend: " + method + ": " + message);
}

Napi::Error status_error(Napi::Env env, const std::string& method, nrt_status status, const std::string& message) {
  const std::string text = "native backend: " + method + ": " + (message.empty() ? "failed" : message);
  Napi::Error error;
  const char* code = "NEURITE_INTERNAL";
  switch (status) {
    case NRT_ERR_INVALID_ARGUMENT:
      error = Napi::RangeError::New(env, text);
      code = "NEURITE_INVALID_ARGUMENT";
      break;
    case NRT_ERR_STATE:
      error = Napi::Error::New(env, text);
      code = "NEURITE_STATE";
      break;
    case NRT_ERR_OUT_OF_MEMORY:
      error = Napi::RangeError::New(env, text);
      code = "NEURITE_OUT_OF_MEMORY";
      break;
    case NRT_ERR_ABORTED:
      error = Napi::Error::New(env, text);
      code = "NEURITE_ABORTED";
      break;
    default:
      error = Napi::Error::New(env, text);
      break;
  }
  error.Set("code", Napi::String::New(env, code));
  return error;
}

std::string describe(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return v.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: {
      std::ostringstream out;
      out << v.As<Napi::Number>().DoubleValue();
      return out.str();
    }
    case napi_string: return "\"" + v.As<Napi::String>().Utf8Value() + "\"";
    case napi_bigint: return "a bigint";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    default: break;
  }
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float32_array: return "a Float32Array";
      case napi_float64_array: return "a Float64Array";
      case napi_int32_array: return "an Int32Array";
      case napi_uint8_array: return "a Uint8Array";
      default: return "a typed array of another type";
    }
  }
  if (v.IsArray()) return "an array of length " + std::to_string(v.As<Napi::Array>().Length());
  if (v.IsArrayBuffer()) return "an ArrayBuffer";
  return "an object";
}

Float32View float32_array(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v,
                          int64_t expected, bool for_async) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw_type_error(env, method, name + ": expected a Float32Array, got " + describe(v));
  Napi::Float32Array array = v.As<Napi::Float32Array>();
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (expected >= 0 && length != expected)
    throw_range_error(env, method,
                      name + ": expected " + std::to_string(expected) + " values, got " + std::to_string(length));
  if (for_async) {
    // A resizable ArrayBuffer (or growable SharedArrayBuffer) can shrink while a worker reads it.
    Napi::Value buffer = array.Get("buffer");
    if (buffer.IsObject()) {
      Napi::Object b = buffer.As<Napi::Object>();
      if (b.Get("resizable").ToBoolean().Value() || b.Get("growable").ToBoolean().Value())
        throw_type_error(env, method,
                         name + ": a Float32Array over a resizable or growable buffer cannot be used (copy it first)");
    }
  }
  return Float32View{length > 0 ? array.Data() : nullptr, length};
}

int64_t integer(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v, int64_t min,
                int64_t max) {
  if (!v.IsNumber()) throw_type_error(env, method, name + ": expected an integer, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::isfinite(d) && d == std::floor(d)))
    throw_range_error(env, method, name + ": expected an integer, got " + describe(v));
  if (d < static_cast<double>(min) || d > static_cast<double>(max))
    throw_range_error(env, method, name + ": expected an integer in [" + std::to_string(min) + ", " +
                                       std::to_string(max) + "], got " + describe(v));
  return static_cast<int64_t>(d);
}

double number(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v, double min,
              double max, bool max_inclusive) {
  if (!v.IsNumber()) throw_type_error(env, method, name + ": expected a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  const bool ok = std::isfinite(d) && d >= min && (max_inclusive ? d <= max : d < max);
  if (!ok) {
    std::ostringstream range;
    range << "[" << min << ", " << max << (max_inclusive ? "]" : ")");
    throw_range_error(env, method, name + ": expected a finite number in " + range.str() + ", got " + describe(v));
  }
  return d;
}

bool boolean(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v) {
  if (!v.IsBoolean()) throw_type_error(env, method, name + ": expected a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

std::string string(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v) {
  if (!v.IsString()) throw_type_error(env, method, name + ": expected a string, got " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

Napi::Object object(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction())
    throw_type_error(env, method, name + ": expected an object, got " + describe(v));
  return v.As<Napi::Object>();
}

int32_t one_of(Napi::Env env, const std::string& method, const std::string& name, Napi::Value v,
               const char* const* names, int32_t count) {
  std::string list;
  for (int32_t i = 0; i < count; i++) list += (i ? ", '" : "'") + std::string(names[i]) + "'";
  if (!v.IsString()) throw_type_error(env, method, name + ": expected one of " + list + ", got " + describe(v));
  const std::string s = v.As<Napi::String>().Utf8Value();
  for (int32_t i = 0; i < count; i++)
    if (s == names[i]) return i;
  throw_range_error(env, method, name + ": expected one of " + list + ", got " + describe(v));
}

}  // namespace nrt_node
