// A small pool of helper threads shared by every model in the process.
//
// The caller of run() always works too, so `threads` = 1 means inline. While an engine call is running (an
// EngineCall scope is open, or a short one has just closed), helpers spin for a few microseconds after a job
// (the next GEMM of a training step usually follows within that time), yielding to any other runnable thread as
// they poll; otherwise, and after that, they sleep on a condition variable, so an idle pool costs no CPU and does
// not compete with the caller's other work. One parallel job runs at a time: a second caller (another model on
// another thread, or a nested call) runs its job inline instead of waiting.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace nrt {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, int task);

  // The process-wide pool: hardware threads - 1 helpers, created on first use and never destroyed (helpers are
  // idle or asleep at exit; destroying them then could race with a binding thread still finishing a job).
  static ThreadPool& shared();

  explicit ThreadPool(int helpers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs fn(context, t) for every t in [0, tasks) on up to `threads` threads, the caller included.
  void run(int tasks, int threads, TaskFn fn, void* context);
  // Threads a job can use: helpers + the caller.
  int max_threads() const { return static_cast<int>(helpers_.size()) + 1; }

  // Open for the length of one engine call (a training step or epoch, a prediction): between its parallel
  // regions helpers keep polling instead of sleeping. After a short call (under kShortCall) they poll on for
  // the spin window, since another call often follows at once: a loop of single-sample predictions or of
  // trainOnBatch steps. After a long one, natively, they sleep at once: the binding ran it on a worker thread,
  // the next call is at least a JavaScript turn away, and polling would take a CPU from the JavaScript thread
  // and that worker, which run in between. On a 2-vCPU machine, batch-1024 predictions on 2 threads awaited one
  // after another ran 10-20 % faster for it; batch-1 predictions on 2 threads took 16 µs with the polling and
  // 24 µs without. In WASM the JavaScript thread is the caller itself, and a long call is one slice of paced
  // work whose next slice follows after one yield: helpers poll on after every call, as natively after short
  // ones.
  class EngineCall {
   public:
    EngineCall() : start_(now_ns()) { engine_calls_.fetch_add(1, std::memory_order_relaxed); }
    ~EngineCall() {
      const int64_t end = now_ns();
      if (kLingerAfterLongCalls || end - start_ < kShortCall)
        linger_until_.store(end + spin_window_ns(), std::memory_order_relaxed);
      engine_calls_.fetch_sub(1, std::memory_order_relaxed);
    }
    EngineCall(const EngineCall&) = delete;
    EngineCall& operator=(const EngineCall&) = delete;

   private:
    int64_t start_;
  };
  static constexpr int64_t kShortCall = 1000000;  // ns
#if defined(__EMSCRIPTEN__)
  static constexpr bool kLingerAfterLongCalls = true;
#else
  static constexpr bool kLingerAfterLongCalls = false;
#endif

 private:
  void helper_loop();
  void drain();

  std::vector<std::thread> helpers_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> next_task_{0};
  std::atomic<int> active_helpers_{0};
  int tasks_ = 0;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int joined_ = 0;  // helpers that took the current job (guarded by mutex_)
  int wanted_ = 0;  // helpers the current job may take (guarded by mutex_)
  bool stop_ = false;
  // Whether helpers should poll rather than sleep: an engine call is open, or a short one ended just now.
  static bool engine_busy();
  static int64_t now_ns();
  static int64_t spin_window_ns();
  static std::atomic<int> engine_calls_;        // open EngineCall scopes, process-wide
  static std::atomic<int64_t> linger_until_;    // now_ns() until which helpers poll after a short call
};

// Hardware threads (at least 1).
int hardware_threads();
// Makes hardware_threads() return `threads` (1..256; 0 undoes it). For an embedder that knows better than the OS:
// the threaded WASM module, whose worker threads are started up front by its loader. Call it before any model
// exists: the shared pool is sized once, on first use.
void set_hardware_threads(int threads);

// parallel_for(tasks, threads, [&](int t) { ... }) on the shared pool.
template <typename F>
void parallel_for(int tasks, int threads, F&& body) {
  if (tasks <= 0) return;
  if (tasks == 1 || threads <= 1) {
    for (int t = 0; t < tasks; t++) body(t);
    return;
  }
  using Body = typename std::remove_reference<F>::type;
  ThreadPool::shared().run(
      tasks, threads, [](void* context, int t) { (*static_cast<Body*>(context))(t); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace nrt
