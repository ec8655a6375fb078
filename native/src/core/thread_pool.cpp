#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/flush_denormals.h"
#include "core/profile.h"

#if defined(__linux__)
#include <sched.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NRT_CPU_RELAX() _mm_pause()
#else
#define NRT_CPU_RELAX() std::this_thread::yield()
#endif

namespace nrt {

namespace {

// How long a helper keeps polling for the next job before sleeping. Long enough to bridge the gap between two
// GEMMs of one training step, short enough to be invisible when the pool is idle. Natively 50 µs (NEURITE_SPIN_US
// overrides it). In WASM 1 ms: there the serial parts of a step between two GEMMs run longer, and waking a
// sleeping helper is an Atomics.notify to a Web Worker, which takes far longer than a futex. W1 on 2 threads over
// 1 thread in Node 20 (threaded build, AMD EPYC Zen 3, 7 to 11 alternated runs each): median 1.32× at 50 µs,
// 1.43× at 400 µs, 1.49× at 1 ms. (Emscripten's getenv does not see the process's environment.)
#if defined(__EMSCRIPTEN__)
constexpr long kDefaultSpinUs = 1000;
#else
constexpr long kDefaultSpinUs = 50;
#endif
std::chrono::microseconds spin_window() {
  static const std::chrono::microseconds window = [] {
    const char* env = std::getenv("NEURITE_SPIN_US");
    long us = env ? std::strtol(env, nullptr, 10) : kDefaultSpinUs;
    if (us < 0) us = 0;
    if (us > 10000) us = 10000;
    return std::chrono::microseconds(us);
  }();
  return window;
}

// Polls done() until the spin window passes. Every 64 polls it also yields: on a machine with more runnable threads
// than CPUs (a shared or loaded host) a helper that keeps its CPU while it waits takes it from the thread it waits
// for, or from the caller's other work; with the CPU to itself, yield returns at once. On a loaded 2-vCPU host this
// made W1 on 2 threads 8% faster (train-bench w1x2, alternated runs).
template <typename Done>
void spin_until(Done done) {
  const auto window = spin_window();
  if (window.count() == 0) return;
  const auto deadline = std::chrono::steady_clock::now() + window;
  for (int i = 0;; i++) {
    if (done()) return;
    NRT_CPU_RELAX();
    if ((i & 63) == 63) {
      if (std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::yield();
    }
  }
}

}  // namespace

namespace {
std::atomic<int> hardware_threads_override{0};
}

void set_hardware_threads(int threads) { hardware_threads_override.store(threads < 1 ? 0 : (threads > 256 ? 256 : threads)); }

int hardware_threads() {
  if (const int forced = hardware_threads_override.load()) return forced;
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return 1;
#else
  unsigned n = std::thread::hardware_concurrency();
#if defined(__linux__)
  // The CPUs this process may run on (taskset, cpusets of containers), not every CPU of the host.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) n = static_cast<unsigned>(CPU_COUNT(&set));
#endif
  return n == 0 ? 1 : (n > 256 ? 256 : static_cast<int>(n));
#endif
}

ThreadPool& ThreadPool::shared() {
  static ThreadPool* pool = new ThreadPool(hardware_threads() - 1);
  return *pool;
}

ThreadPool::ThreadPool(int helpers) {
#if !(defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__))
  for (int i = 0; i < helpers; i++) helpers_.emplace_back([this] { helper_loop(); });
#else
  (void)helpers;
#endif
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  work_ready_.notify_all();
  for (auto& t : helpers_) t.join();
}

void ThreadPool::drain() {
  for (;;) {
    const int t = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (t >= tasks_) return;
    fn_(context_, t);
  }
}

std::atomic<int> ThreadPool::engine_calls_{0};
std::atomic<int64_t> ThreadPool::linger_until_{0};

int64_t ThreadPool::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t ThreadPool::spin_window_ns() { return std::chrono::nanoseconds(spin_window()).count(); }

bool ThreadPool::engine_busy() {
  return engine_calls_.load(std::memory_order_relaxed) > 0 || now_ns() < linger_until_.load(std::memory_order_relaxed);
}

void ThreadPool::helper_loop() {
  const FlushDenormals flush;  // a helper only ever runs the core's arithmetic (core/flush_denormals.h)
  uint64_t seen = 0;
  for (;;) {
    spin_until([&] {
      return generation_.load(std::memory_order_acquire) != seen || !engine_busy();
    });
    std::unique_lock<std::mutex> lock(mutex_);
    work_ready_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
    if (stop_) return;
    seen = generation_.load(std::memory_order_relaxed);
    if (joined_ >= wanted_) continue;  // the job is full or already finished
    joined_++;
    active_helpers_.fetch_add(1, std::memory_order_relaxed);
    lock.unlock();
    drain();
    if (active_helpers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> done_lock(mutex_);
      work_done_.notify_all();
    }
  }
}

void ThreadPool::run(int tasks, int threads, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  const int helpers = static_cast<int>(helpers_.size());
  const int want = std::min(std::min(threads, tasks) - 1, helpers);
  std::unique_lock<std::mutex> run_lock(run_mutex_, std::try_to_lock);
  if (want <= 0 || !run_lock.owns_lock()) {
    for (int t = 0; t < tasks; t++) fn(context, t);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    context_ = context;
    tasks_ = tasks;
    next_task_.store(0, std::memory_order_relaxed);
    joined_ = 0;
    wanted_ = want;
    generation_.fetch_add(1, std::memory_order_release);
  }
  work_ready_.notify_all();
  drain();
  NRT_PROFILE_SCOPE(pool_wait);
  {
    // Close the job: a helper waking up late must not join it once the caller has left.
    std::lock_guard<std::mutex> lock(mutex_);
    wanted_ = joined_;
    NRT_PROFILE_REGION(joined_);
  }
  spin_until([&] { return active_helpers_.load(std::memory_order_acquire) == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  work_done_.wait(lock, [&] { return active_helpers_.load(std::memory_order_acquire) == 0; });
}

}  // namespace nrt
