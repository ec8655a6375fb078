// The Node-API addon: exports the NativeModel class and what the loader wants to know about this build.
#include <napi.h>

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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", nrt_node::ModelWrap::Define(env));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("firstNonFinite", Napi::Function::New(env, FirstNonFinite, "firstNonFinite"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurite, Init)
