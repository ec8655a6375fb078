// The runner thread of the threaded WASM build and the job exports JavaScript drives it with (see runner.h).
// One runner, jobs in the order they were submitted: a model's calls never overlap one another, and the core
// serialises calls on one model anyway; calls the JavaScript thread makes meanwhile (predictSync, getWeights) wait
// for the model's lock as they would natively.
#include "runner.h"

#include <emscripten/emscripten.h>

#include <climits>
#include <cstring>
#include <new>
#include <utility>

#if defined(__EMSCRIPTEN_PTHREADS__)
#include <emscripten/threading.h>
#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "core/thread_pool.h"
#endif

namespace nrtw {
namespace {

void finish(nrtw_job* job, nrt_status status) {
  job->status = status;
  if (status != NRT_OK) {
    std::strncpy(job->error, nrt_last_error(), sizeof job->error - 1);
    job->error[sizeof job->error - 1] = '\0';
  }
  job->call = nullptr;  // what it captured is the caller's to free once the job is done
  __atomic_store_n(&job->state, 1, __ATOMIC_SEQ_CST);
#if defined(__EMSCRIPTEN_PTHREADS__)
  // Atomics.notify, which wakes Atomics.waitAsync too. JavaScript may already have seen the store and destroyed
  // the job: the wake then only names a heap address, which stays addressable, and a waiter woken spuriously by
  // it reads its own state again.
  emscripten_futex_wake(&job->state, INT_MAX);
#endif
}

#if defined(__EMSCRIPTEN_PTHREADS__)
class Runner {
 public:
  bool start() {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &Runner::main, this) != 0) return false;
    pthread_detach(thread);
    started_ = true;
    return true;
  }
  bool started() const { return started_; }
  void push(nrtw_job* job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(job);
    }
    ready_.notify_one();
  }

 private:
  static void* main(void* self) {
    auto& r = *static_cast<Runner*>(self);
    for (;;) {
      nrtw_job* job;
      {
        std::unique_lock<std::mutex> lock(r.mutex_);
        r.ready_.wait(lock, [&] { return !r.queue_.empty(); });
        job = r.queue_.front();
        r.queue_.pop_front();
      }
      finish(job, job->call());
    }
    return nullptr;
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<nrtw_job*> queue_;
  bool started_ = false;
};

Runner& runner() {
  static Runner r;
  return r;
}
#endif

}  // namespace

void submit(nrtw_job* job, std::function<nrt_status()> call) {
  job->state = 0;
  job->status = NRT_OK;
  job->error[0] = '\0';
  job->call = std::move(call);
#if defined(__EMSCRIPTEN_PTHREADS__)
  if (runner().started()) {
    runner().push(job);
    return;
  }
#endif
  finish(job, job->call());
}

}  // namespace nrtw

extern "C" {

// Starts the runner (threaded build, once, after nrtw_set_hardware_threads): 1 when calls now run off the
// JavaScript thread, 0 in the single-threaded build or when no worker was left for it. The kernels' thread pool
// is created first, here on the JavaScript thread, so its helpers take the workers the loader started for them.
EMSCRIPTEN_KEEPALIVE int32_t nrtw_start_runner(void) {
#if defined(__EMSCRIPTEN_PTHREADS__)
  if (nrtw::runner().started()) return 1;
  nrt::ThreadPool::shared();
  return nrtw::runner().start() ? 1 : 0;
#else
  return 0;
#endif
}

// NULL when out of memory.
EMSCRIPTEN_KEEPALIVE nrtw_job* nrtw_job_create(void) { return new (std::nothrow) nrtw_job(); }
// Only once the job is done (or was never submitted).
EMSCRIPTEN_KEEPALIVE void nrtw_job_destroy(nrtw_job* job) { delete job; }
// The word JavaScript waits on: 0 while queued or running, 1 when done.
EMSCRIPTEN_KEEPALIVE int32_t* nrtw_job_state(nrtw_job* job) { return &job->state; }
EMSCRIPTEN_KEEPALIVE nrt_status nrtw_job_status(const nrtw_job* job) { return job->status; }
EMSCRIPTEN_KEEPALIVE const char* nrtw_job_error(const nrtw_job* job) { return job->error; }

}  // extern "C"
