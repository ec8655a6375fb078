// The Node-API addon: exports the NativeModel class and what the loader wants to know about this build.
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>

#include "model_wrap.h"
#include "neurite/neurite.h"

namespace {

// Whether v is a typed array of that element type: every export checks its arguments' kinds with it.
bool is_typed(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("abiVersion", Napi::Number::New(env, nrt_abi_version()));
  out.Set("gemmKernel", Napi::String::New(env, nrt_gemm_kernel_name()));
  out.Set("hardwareThreads", Napi::Number::New(env, nrt_hardware_threads()));
  out.Set("liveModels", Napi::Number::New(env, static_cast<double>(nrt_live_models())));
  return out;
}

// firstNonFinite(data: Float32Array, threads: number): index of the first NaN or ±Infinity, or -1
Napi::Value FirstNonFinite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !is_typed(info[0], napi_float32_array) || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "firstNonFinite(data: Float32Array, threads: number)");
  }
  Napi::Float32Array data = info[0].As<Napi::Float32Array>();
  const int64_t at = nrt_first_non_finite(data.Data(), static_cast<int64_t>(data.ElementLength()), info[1].As<Napi::Number>().Int32Value());
  return Napi::Number::New(env, static_cast<double>(at));
}

// bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array): out[i] = bytes[i] / divisor
Napi::Value BytesToFloats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !is_typed(info[0], napi_uint8_array) || !info[1].IsNumber() ||
      !is_typed(info[2], napi_float32_array) ||
      info[2].As<Napi::TypedArray>().ElementLength() < info[0].As<Napi::TypedArray>().ElementLength()) {
    throw Napi::TypeError::New(env, "bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array of at least bytes.length)");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  nrt_bytes_to_floats(bytes.Data(), static_cast<int64_t>(bytes.ElementLength()), info[1].As<Napi::Number>().FloatValue(),
                      info[2].As<Napi::Float32Array>().Data());
  return env.Undefined();
}

// exchangeByteRows(store: Uint8Array, source: Uint8Array, slots: Uint32Array, sources: Uint32Array, count, width,
//                  divisor, out: Float32Array) and exchangeFloatRows(store: Float32Array, source: Float32Array,
// slots, sources, count, width, out): nrt_exchange_{byte,float}_rows, rows counted from the arrays' lengths
template <typename Store>
Napi::Value ExchangeRows(const Napi::CallbackInfo& info) {
  constexpr bool bytes = std::is_same_v<Store, uint8_t>;
  constexpr napi_typedarray_type type = bytes ? napi_uint8_array : napi_float32_array;
  const char* name = bytes ? "exchangeByteRows" : "exchangeFloatRows";
  constexpr size_t out_at = bytes ? 7 : 6;
  Napi::Env env = info.Env();
  if (info.Length() < out_at + 1 || !is_typed(info[0], type) || !is_typed(info[1], type) ||
      !is_typed(info[2], napi_uint32_array) || !is_typed(info[3], napi_uint32_array) || !info[4].IsNumber() ||
      !info[5].IsNumber() || (bytes && !info[6].IsNumber()) || !is_typed(info[out_at], napi_float32_array)) {
    throw Napi::TypeError::New(env, std::string(name) + (bytes ? "(store: Uint8Array, source: Uint8Array, " : "(store: Float32Array, source: Float32Array, ") +
                                        "slots: Uint32Array, sources: Uint32Array, count: number, width: number, " +
                                        (bytes ? "divisor: number, " : "") + "out: Float32Array)");
  }
  Napi::TypedArrayOf<Store> store = info[0].As<Napi::TypedArrayOf<Store>>(), source = info[1].As<Napi::TypedArrayOf<Store>>();
  Napi::Uint32Array slots = info[2].As<Napi::Uint32Array>(), sources = info[3].As<Napi::Uint32Array>();
  Napi::Float32Array out = info[out_at].As<Napi::Float32Array>();
  const int64_t count = info[4].As<Napi::Number>().Int64Value(), width = info[5].As<Napi::Number>().Int64Value();
  if (width <= 0 || count < 0 || count > static_cast<int64_t>(std::min(slots.ElementLength(), sources.ElementLength()))) {
    throw Napi::RangeError::New(env, std::string(name) + ": width must be > 0 and count within slots and sources");
  }
  const int64_t store_rows = static_cast<int64_t>(store.ElementLength()) / width;
  const int64_t source_rows = static_cast<int64_t>(source.ElementLength()) / width;
  const int64_t out_length = static_cast<int64_t>(out.ElementLength());
  nrt_status status;
  if constexpr (bytes) {
    status = nrt_exchange_byte_rows(store.Data(), store_rows, source.Data(), source_rows, slots.Data(), sources.Data(),
                                    count, width, info[6].As<Napi::Number>().FloatValue(), out.Data(), out_length);
  } else {
    status = nrt_exchange_float_rows(store.Data(), store_rows, source.Data(), source_rows, slots.Data(),
                                     sources.Data(), count, width, out.Data(), out_length);
  }
  if (status != NRT_OK) throw Napi::RangeError::New(env, std::string(name) + ": " + nrt_last_error());
  return env.Undefined();
}

// csvNumericLines(text: Uint8Array, cursor: Float64Array [offset], delimiter: number, slots: Int32Array,
//                 features: number, x: Float32Array, targets: Float32Array, spans: Int32Array, starts: Int32Array,
//                 row: number, maxRows: number) → rows read into row .. row + rows - 1 of the output arrays
Napi::Value CsvNumericLines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 11 || !is_typed(info[0], napi_uint8_array) || !is_typed(info[1], napi_float64_array) ||
      !info[2].IsNumber() || !is_typed(info[3], napi_int32_array) || !info[4].IsNumber() ||
      !is_typed(info[5], napi_float32_array) || !is_typed(info[6], napi_float32_array) ||
      !is_typed(info[7], napi_int32_array) || !is_typed(info[8], napi_int32_array) || !info[9].IsNumber() ||
      !info[10].IsNumber()) {
    throw Napi::TypeError::New(env, "csvNumericLines(text: Uint8Array, cursor: Float64Array, delimiter: number, slots: "
                                    "Int32Array, features: number, x: Float32Array, targets: Float32Array, spans: "
                                    "Int32Array, starts: Int32Array, row: number, maxRows: number)");
  }
  Napi::Uint8Array text = info[0].As<Napi::Uint8Array>();
  Napi::Float64Array cursor = info[1].As<Napi::Float64Array>();
  Napi::Int32Array slots = info[3].As<Napi::Int32Array>(), spans = info[7].As<Napi::Int32Array>(),
                   starts = info[8].As<Napi::Int32Array>();
  Napi::Float32Array x = info[5].As<Napi::Float32Array>(), targets = info[6].As<Napi::Float32Array>();
  const int64_t features = info[4].As<Napi::Number>().Int64Value(), row = info[9].As<Napi::Number>().Int64Value(),
                max_rows = info[10].As<Napi::Number>().Int64Value();
  // the output arrays must hold rows row .. row + max_rows - 1
  const auto holds = [&](size_t length, int64_t per_row) {
    return row >= 0 && max_rows >= 0 && static_cast<int64_t>(length) >= (row + max_rows) * per_row;
  };
  if (cursor.ElementLength() < 1 || features <= 0 || features > INT32_MAX || !holds(x.ElementLength(), features) ||
      !holds(targets.ElementLength(), 1) || !holds(spans.ElementLength(), 2) || !holds(starts.ElementLength(), 1)) {
    throw Napi::RangeError::New(env, "csvNumericLines: the output arrays must hold row + maxRows rows");
  }
  int64_t at = static_cast<int64_t>(cursor[0]);
  const int64_t rows = nrt_csv_numeric_lines(
      text.Data(), static_cast<int64_t>(text.ElementLength()), &at,
      static_cast<uint8_t>(info[2].As<Napi::Number>().Uint32Value()), slots.Data(),
      static_cast<int32_t>(slots.ElementLength()), static_cast<int32_t>(features), x.Data() + row * features,
      targets.Data() + row, spans.Data() + 2 * row, starts.Data() + row, max_rows);
  if (rows < 0) throw Napi::RangeError::New(env, "csvNumericLines: bad delimiter, slots, cursor or text length");
  cursor[0] = static_cast<double>(at);
  return Napi::Number::New(env, static_cast<double>(rows));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", nrt_node::ModelWrap::Define(env));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("firstNonFinite", Napi::Function::New(env, FirstNonFinite, "firstNonFinite"));
  exports.Set("bytesToFloats", Napi::Function::New(env, BytesToFloats, "bytesToFloats"));
  exports.Set("exchangeByteRows", Napi::Function::New(env, ExchangeRows<uint8_t>, "exchangeByteRows"));
  exports.Set("exchangeFloatRows", Napi::Function::New(env, ExchangeRows<float>, "exchangeFloatRows"));
  exports.Set("csvNumericLines", Napi::Function::New(env, CsvNumericLines, "csvNumericLines"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurite, Init)
