// The asynchronous side of NativeModel: each function takes the caller's arrays on the JS thread, keeps them
// alive with references (their data is read in place, never copied), runs the core on a libuv worker thread and
// settles the returned Promise on the JS thread (rejecting with status_error when the core fails).
#pragma once

#include <napi.h>

#include <cstdint>

namespace nrt_node {

class ModelWrap;

// Resolves with the loss before the update.
Napi::Promise start_train_batch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                                Napi::Value w, int64_t count);

// Resolves with the epoch's nrt_metrics as bytes. on_batch (a function or undefined) is called with
// (batch, batches, loss) for every batch, in order. w and outputs may be null (see nrt_model_train_epoch).
Napi::Promise start_train_epoch(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                                Napi::Value w, int64_t count, int64_t batch_size, bool shuffle, int64_t epoch,
                                Napi::Value on_batch, Napi::Value outputs);

// Resolves with nrt_metrics as bytes.
Napi::Promise start_evaluate(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, Napi::Value y,
                             Napi::Value w, int64_t count, int64_t batch_size);

// Writes into `out` (the caller's Float32Array) and resolves with undefined.
Napi::Promise start_predict(Napi::Env env, ModelWrap* wrap, Napi::Object self, Napi::Value x, int64_t count,
                            Napi::Value out);

}  // namespace nrt_node
