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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", nrt_node::ModelWrap::Define(env));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurite, Init)
