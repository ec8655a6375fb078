// Types of web/center-digit.js, for test/playground.test.ts.
export function centerDigit(pixels: ArrayLike<number>, size?: number, box?: number): Float32Array;
