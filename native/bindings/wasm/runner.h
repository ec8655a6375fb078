// Calls run off the JavaScript thread (the threaded WASM build): what the binding's *_async exports hand over.
//
// Why: WASM cannot yield inside a call, so on the JavaScript thread a long call must be cut into pieces of a few
// milliseconds (src/backends/pacing.ts), each one a smaller, less efficient call, with a yield and a sleeping
// helper thread to wake in between. The threaded build has threads: there, predict, evaluate and the epoch's
// slices run whole on a thread of their own, as the native addon runs them on libuv's, and the JavaScript thread
// only waits for them (Atomics.waitAsync), free to run timers, I/O and painting meanwhile.
#pragma once

#include <cstdint>
#include <functional>

#include "neurite/neurite.h"

// One call in flight, created and destroyed by JavaScript (nrtw_job_*), opaque to it except `state`'s address.
struct nrtw_job {
  int32_t state = 0;  // 0 queued or running, 1 done; JavaScript waits on this word
  nrt_status status = NRT_OK;
  char error[512] = "";  // nrt_last_error() of the thread that ran the call (the message is thread-local)
  std::function<nrt_status()> call;
};

namespace nrtw {

// Runs job->call on the runner thread, or right here when there is none (the single-threaded build), then marks
// the job done and wakes whoever waits on its state. The arguments the call captures (heap blocks) must stay
// alive until then.
void submit(nrtw_job* job, std::function<nrt_status()> call);

}  // namespace nrtw
