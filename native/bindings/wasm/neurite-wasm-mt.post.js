// Placed inside the threaded module's factory (--post-js). A worker thread that grows the shared memory makes
// the main thread's HEAP* views too short (a SharedArrayBuffer is never detached, only superseded): the loader
// calls this before it reads or writes the heap.
Module['nrtRefreshHeap'] = function() {
  if (wasmMemory.buffer != buffer) updateGlobalBufferAndViews(wasmMemory.buffer);
};

// In Node a worker_threads Worker keeps the process alive; the pool's workers only ever run the core's helper
// threads, which sleep when idle, so they must not keep a finished script from exiting.
Module['nrtUnrefWorkers'] = function() {
  PThread.unusedWorkers.concat(PThread.runningWorkers).forEach(function(worker) {
    if (typeof worker.unref == 'function') worker.unref();
  });
};
