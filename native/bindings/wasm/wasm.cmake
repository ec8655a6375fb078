# The WASM engine: the core sources + native/bindings/wasm, linked by Emscripten into one ES module with the
# binary inlined (wasm/neurite-wasm.mjs after scripts/build-wasm.sh copies it).
# Included by CMakeLists.txt inside if(EMSCRIPTEN), after the core library target neurite_core (built from
# NEURITE_CORE_SOURCES plus the wasmsimd GEMM kernel) is defined.
#
# Why these flags:
#   -msimd128                 SIMD128 everywhere (the GEMM microkernel and whatever the compiler vectorises).
#   NEURITE_WASM_RELAXED=ON   the GEMM kernel with relaxed SIMD (a fused multiply-add) as well: the modules
#                             neurite-wasm-relaxed.mjs and neurite-wasm-mt-relaxed.mjs, which the loader takes
#                             where the engine validates relaxed SIMD. clang 14 emits its prototype opcode; the
#                             post-link step scripts/patch-relaxed-simd.mjs writes the standard one.
#   -sEXPORT_ES6 -sMODULARIZE -sENVIRONMENT=web,worker -sSINGLE_FILE
#                             one .mjs that imports the same way in Node 20 (no fs or __dirname needed, the
#                             binary is inline) and in browsers and workers, and bundles with esbuild.
#   -sALLOW_MEMORY_GROWTH     batches of any size; JS re-reads the heap views after calls that may grow it.
#   -sABORTING_MALLOC=0       a failed allocation returns NULL, which the core reports as NRT_ERR_OUT_OF_MEMORY,
#                             instead of aborting the whole module.
#   -sWASM_BIGINT             int64_t arguments (counts, sizes) pass as BigInt instead of split i32 pairs.
#   -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0
#                             no FS code, and no eval/new Function (pages with a strict CSP can load it).
#   -ffile-prefix-map         no absolute source or build path in the output: the build is reproducible.
#
# With -DNEURITE_WASM_THREADS=ON the same sources build the threaded module, wasm/neurite-wasm-mt.mjs plus its
# pthread worker, neurite-wasm-mt.worker.js (scripts/build-wasm.sh builds both). Why its flags differ:
#   -pthread                  threads on SharedArrayBuffer memory; the core's ThreadPool becomes real threads.
#   -sENVIRONMENT=web,worker,node
#                             Node runs the pthread workers through worker_threads, which needs Node's code paths;
#                             neurite-wasm-mt.extern-pre.js gives the ES module the `require` and `__dirname` they
#                             use, and neurite-wasm-mt.pre.js points Node at the CommonJS copy of the worker.
#   -sPTHREAD_POOL_SIZE=Module.nrtHelpers
#                             the workers are started when the module loads (a thread started later would need the
#                             event loop of the thread that starts it, which a synchronous call never gives back);
#                             the loader (src/backends/wasm-engine.ts) passes cores: cores - 1 for the kernels'
#                             helpers, one for the runner thread (runner.cpp) the long calls run on.
#   -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
#                             a library must not install process-wide handlers.
#   neurite-wasm-mt.post.js   lets the loader refresh the heap views after a worker thread grew the memory.
option(NEURITE_WASM_THREADS "build the threaded WASM module (neurite-wasm-mt.mjs)" OFF)

if(NOT TARGET neurite_core)
  message(FATAL_ERROR "wasm.cmake: include it after the neurite_core library target is defined")
endif()

# The whole core with SIMD128 (the ops' loops vectorise too, not only the GEMM kernel), without exceptions (the
# core reports errors by status), and with no absolute path in what it embeds.
set(NEURITE_WASM_COMPILE_OPTIONS
  -msimd128 -fno-exceptions $<$<BOOL:${NEURITE_WASM_THREADS}>:-pthread>
  "-ffile-prefix-map=${CMAKE_SOURCE_DIR}/="
  "-ffile-prefix-map=${CMAKE_BINARY_DIR}/=")
target_compile_options(neurite_core PRIVATE ${NEURITE_WASM_COMPILE_OPTIONS})

set(NEURITE_WASM_EXPORTS
  _malloc _free
  _nrt_last_error _nrt_abi_version _nrt_gemm_kernel_name
  _nrt_model_create _nrt_model_destroy
  _nrt_model_parameter_count _nrt_model_parameter_size _nrt_model_get_parameter _nrt_model_set_parameter
  _nrt_model_compile _nrt_model_set_learning_rate
  _nrt_model_optimizer_slot_count _nrt_model_optimizer_slot_size
  _nrt_model_get_optimizer_slot _nrt_model_set_optimizer_slot _nrt_model_get_step _nrt_model_set_step
  _nrt_model_set_threads _nrt_hardware_threads
  _nrt_model_train_batch _nrt_model_train_rows _nrt_model_evaluate _nrt_model_predict
  _nrt_rng_key _nrt_rng_u32 _nrt_permutation _nrt_first_non_finite
  _nrtw_simd128 _nrtw_threads_build _nrtw_set_hardware_threads _nrtw_binding_version _nrtw_train_slice _nrtw_debug_trap
  _nrtw_start_runner _nrtw_job_create _nrtw_job_destroy _nrtw_job_state _nrtw_job_status _nrtw_job_error
  _nrtw_predict_async _nrtw_evaluate_async _nrtw_train_slice_async)
list(JOIN NEURITE_WASM_EXPORTS "," NEURITE_WASM_EXPORTS_CSV)

if(NEURITE_WASM_RELAXED)
  set(NEURITE_WASM_SUFFIX -relaxed)
endif()
if(NEURITE_WASM_THREADS)
  set(NEURITE_WASM_NAME neurite-wasm-mt${NEURITE_WASM_SUFFIX})
  set(NEURITE_WASM_LINK_VARIANT
    -pthread -sENVIRONMENT=web,worker,node -sPTHREAD_POOL_SIZE=Module.nrtHelpers
    -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
    "--extern-pre-js=${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.extern-pre.js"
    "--pre-js=${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.pre.js"
    "--post-js=${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.post.js")
else()
  set(NEURITE_WASM_NAME neurite-wasm${NEURITE_WASM_SUFFIX})
  set(NEURITE_WASM_LINK_VARIANT -sENVIRONMENT=web,worker)
endif()

add_executable(neurite_wasm native/bindings/wasm/neurite_wasm.cpp native/bindings/wasm/runner.cpp)
set_target_properties(neurite_wasm PROPERTIES OUTPUT_NAME ${NEURITE_WASM_NAME} SUFFIX ".mjs")
target_link_libraries(neurite_wasm PRIVATE neurite_core)
if(NEURITE_WASM_THREADS)  # relink when the JavaScript pieces change
  set_property(TARGET neurite_wasm APPEND PROPERTY LINK_DEPENDS
    "${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.extern-pre.js" "${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.pre.js"
    "${CMAKE_CURRENT_LIST_DIR}/neurite-wasm-mt.post.js")
endif()
target_compile_options(neurite_wasm PRIVATE ${NEURITE_WASM_COMPILE_OPTIONS})
target_link_options(neurite_wasm PRIVATE
  -O3 -msimd128 ${NEURITE_WASM_LINK_VARIANT}
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createNeuriteWasm -sSINGLE_FILE=1
  -sALLOW_MEMORY_GROWTH=1 -sABORTING_MALLOC=0 -sWASM_BIGINT=1
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0
  "-sEXPORTED_FUNCTIONS=${NEURITE_WASM_EXPORTS_CSV}"
  "-sEXPORTED_RUNTIME_METHODS=UTF8ToString,stackSave,stackRestore")
neurite_patch_relaxed_simd(neurite_wasm "$<TARGET_FILE:neurite_wasm>")
