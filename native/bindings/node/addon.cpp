// The Node-API addon: exports the NativeModel class and what the loader wants to know about this build.
#include <napi.h>

#include <algorithm>
#include <string>

#include "model_wrap.h"
#include "neurite/neurite.h"

namespace {

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
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "firstNonFinite(data: Float32Array, threads: number)");
  }
  Napi::Float32Array data = info[0].As<Napi::Float32Array>();
  const int64_t at = nrt_first_non_finite(data.Data(), static_cast<int64_t>(data.ElementLength()), info[1].As<Napi::Number>().Int32Value());
  return Napi::Number::New(env, static_cast<double>(at));
}

// bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array): out[i] = bytes[i] / divisor
Napi::Value BytesToFloats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !info[1].IsNumber() || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      info[2].As<Napi::TypedArray>().ElementLength() < info[0].As<Napi::TypedArray>().ElementLength()) {
    throw Napi::TypeError::New(env, "bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array of at least bytes.length)");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  nrt_bytes_to_floats(bytes.Data(), static_cast<int64_t>(bytes.ElementLength()), info[1].As<Napi::Number>().FloatValue(),
                      info[2].As<Napi::Float32Array>().Data());
  return env.Undefined();
}

bool is_typed(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

// exchangeByteRows(store: Uint8Array, source: Uint8Array, slots: Uint32Array, sources: Uint32Array, count,
//                  width, divisor, out: Float32Array): nrt_exchange_byte_rows, rows counted from the arrays' lengths
Napi::Value ExchangeByteRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8 || !is_typed(info[0], napi_uint8_array) || !is_typed(info[1], napi_uint8_array) ||
      !is_typed(info[2], napi_uint32_array) || !is_typed(info[3], napi_uint32_array) || !info[4].IsNumber() ||
      !info[5].IsNumber() || !info[6].IsNumber() || !is_typed(info[7], napi_float32_array)) {
    throw Napi::TypeError::New(env, "exchangeByteRows(store: Uint8Array, source: Uint8Array, slots: Uint32Array, "
                                    "sources: Uint32Array, count: number, width: number, divisor: number, out: Float32Array)");
  }
  Napi::Uint8Array store = info[0].As<Napi::Uint8Array>(), source = info[1].As<Napi::Uint8Array>();
  Napi::Uint32Array slots = info[2].As<Napi::Uint32Array>(), sources = info[3].As<Napi::Uint32Array>();
  Napi::Float32Array out = info[7].As<Napi::Float32Array>();
  const int64_t count = info[4].As<Napi::Number>().Int64Value(), width = info[5].As<Napi::Number>().Int64Value();
  if (width <= 0 || count < 0 || count > static_cast<int64_t>(std::min(slots.ElementLength(), sources.ElementLength()))) {
    throw Napi::RangeError::New(env, "exchangeByteRows: width must be > 0 and count within slots and sources");
  }
  const nrt_status status = nrt_exchange_byte_rows(
      store.Data(), static_cast<int64_t>(store.ElementLength()) / width, source.Data(),
      static_cast<int64_t>(source.ElementLength()) / width, slots.Data(), sources.Data(), count, width,
      info[6].As<Napi::Number>().FloatValue(), out.Data(), static_cast<int64_t>(out.ElementLength()));
  if (status != NRT_OK) throw Napi::RangeError::New(env, std::string("exchangeByteRows: ") + nrt_last_error());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", nrt_node::ModelWrap::Define(env));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("firstNonFinite", Napi::Function::New(env, FirstNonFinite, "firstNonFinite"));
  exports.Set("bytesToFloats", Napi::Function::New(env, BytesToFloats, "bytesToFloats"));
  exports.Set("exchangeByteRows", Napi::Function::New(env, ExchangeByteRows, "exchangeByteRows"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurite, Init)
