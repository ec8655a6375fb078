/** Types of wasm/threaded-files.mjs: the files of the threaded WASM builds. */
export declare const THREADED_BUILDS: readonly string[];
export declare const THREADED_BROWSER_FILES: readonly string[];
export declare const THREADED_FILES: readonly string[];
