# The WASM engine: the core sources + native/bindings/wasm, linked by Emscripten into one ES module with the
# binary inlined (wasm/neurite-wasm.mjs after scripts/build-wasm.sh copies it).
# Included by CMakeLists.txt inside if(EMSCRIPTEN), after the core library target neurite_core (built from
# NEURITE_CORE_SOURCES plus the wasmsimd GEMM kernel) is defined.
#
# Why these flags:
#   -msimd128                 SIMD128 everywhere (the GEMM microkernel and whatever the compiler vectorises);
#                             no relaxed SIMD: clang 14 emits prototype opcodes Node 20 and Chromium reject.
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

if(NOT TARGET neurite_core)
  message(FATAL_ERROR "wasm.cmake: include it after the neurite_core library target is defined")
endif()

# The whole core with SIMD128 (the ops' loops vectorise too, not only the GEMM kernel), without exceptions (the
# core reports errors by status), and with no absolute path in what it embeds.
set(NEURITE_WASM_COMPILE_OPTIONS
  -msimd128 -fno-exceptions
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
  _nrt_model_train_batch _nrt_model_train_rows _nrt_model_evaluate _nrt_model_predict
  _nrt_rng_key _nrt_rng_u32 _nrt_permutation
  _nrtw_simd128 _nrtw_binding_version _nrtw_train_slice _nrtw_debug_trap)
list(JOIN NEURITE_WASM_EXPORTS "," NEURITE_WASM_EXPORTS_CSV)

add_executable(neurite_wasm native/bindings/wasm/neurite_wasm.cpp)
set_target_properties(neurite_wasm PROPERTIES OUTPUT_NAME neurite-wasm SUFFIX ".mjs")
target_link_libraries(neurite_wasm PRIVATE neurite_core)
target_compile_options(neurite_wasm PRIVATE ${NEURITE_WASM_COMPILE_OPTIONS})
target_link_options(neurite_wasm PRIVATE
  -O3 -msimd128
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createNeuriteWasm -sENVIRONMENT=web,worker -sSINGLE_FILE=1
  -sALLOW_MEMORY_GROWTH=1 -sABORTING_MALLOC=0 -sWASM_BIGINT=1
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0
  "-sEXPORTED_FUNCTIONS=${NEURITE_WASM_EXPORTS_CSV}"
  "-sEXPORTED_RUNTIME_METHODS=UTF8ToString,stackSave,stackRestore")
