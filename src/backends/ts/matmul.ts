/**
 * GEMM: the three products a dense layer's training step needs, all row-major.
 *
 *   matmul(a, b, c, m, k, n)     C[m,n] = A[m,k] · B[k,n]      forward:          z  = x · W
 *   matmulTN(a, b, c, m, k, n)   C[m,n] = A[k,m]ᵀ · B[k,n]     weight gradient:  dW = xᵀ · dz
 *   matmulNT(a, b, c, m, k, n)   C[m,n] = A[m,k] · B[n,k]ᵀ     input gradient:   dx = dz · Wᵀ
 *
 * C is overwritten. Each form has a naive triple-loop twin (…Naive) that tests hold the fast path against.
 *
 * How the fast path is fast, and why it is not the textbook i-k-j loop: in V8 every typed-array access
 * costs a map check, a bounds check and an overflow-checked index add (TurboFan hoists none of them out of
 * the loop), so what decides speed is how many multiply-adds each load feeds. An i-k-j loop loads and
 * stores C on every step (measured 0.9–1.4 GMAC/s on the build machine); a register-blocked dot-product
 * kernel keeps a 3×3 block of C in nine local doubles and feeds 9 multiply-adds from 6 loads (~2 GMAC/s).
 * Larger blocks spill V8's 15 usable xmm registers and get slower again, and unrolling k does the same.
 * To give that kernel unit-stride reads for all three forms, both operands are first copied into one
 * Float64 workspace as panels (the way BLAS libraries pack): one array in the hot loop means one map
 * check, and doubles need no f32→f64 conversion per load. Packing is O(mk + kn) against O(mkn) work, and
 * it is where the three forms differ: only the packing reads A or B transposed. Sums are accumulated in
 * double precision and rounded once when stored into C.
 */
import type { Floats } from './floats.js';

/**
 * Rows of A per panel and columns of B per panel: the 3×3 block of C the micro-kernel keeps in registers.
 * The hot loops below write the 3 out as a literal (see multiplyPanels); these name it everywhere else.
 */
const PANEL_ROWS = 3;
const PANEL_COLS = 3;

// One packing workspace for the whole backend, grown on demand and never shrunk: no allocation per call.
let workspace = new Float64Array(0);
// The nine sums of a block that sticks out past the edge of C, stored through a loop (rare: edges only).
const edgeBlock = new Float64Array(PANEL_ROWS * PANEL_COLS);

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function workspaceFor(m: number, k: number, n: number): Float64Array {
  const size = (roundUp(m, PANEL_ROWS) + roundUp(n, PANEL_COLS)) * k;
  if (workspace.length < size) workspace = new Float64Array(size);
  return workspace;
}

/** C[m,n] = A[m,k] · B[k,n] */
export function matmul(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  const ws = workspaceFor(m, k, n);
  const bOffset = roundUp(m, PANEL_ROWS) * k;
  packRowsOfA(a, ws, m, k);
  packRowsOfB(b, ws, bOffset, k, n);
  multiplyPanels(ws, bOffset, c, m, k, n);
}

/** C[m,n] = A[k,m]ᵀ · B[k,n]  (A is stored k rows of m) */
export function matmulTN(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  const ws = workspaceFor(m, k, n);
  const bOffset = roundUp(m, PANEL_ROWS) * k;
  packColumnsOfA(a, ws, m, k);
  packRowsOfB(b, ws, bOffset, k, n);
  multiplyPanels(ws, bOffset, c, m, k, n);
}

/** C[m,n] = A[m,k] · B[n,k]ᵀ  (B is stored n rows of k) */
export function matmulNT(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  const ws = workspaceFor(m, k, n);
  const bOffset = roundUp(m, PANEL_ROWS) * k;
  packRowsOfA(a, ws, m, k);
  packColumnsOfB(b, ws, bOffset, k, n);
  multiplyPanels(ws, bOffset, c, m, k, n);
}

// ---- packing -------------------------------------------------------------------------------------------
// Panel layout: A's rows i0..i0+2 become ws[i0·k + p·3 + r]; B's columns j0..j0+2 become
// ws[bOffset + j0·k + p·3 + t]. Rows and columns past the edge are zero so the kernel never branches.
// The loops that run for every element spell the panel width 3 as a literal: V8 reloads a module-level
// constant from its context on every use, and packing is 5–10% of a training step.

/** A(i, p) = a[i·k + p] */
function packRowsOfA(a: Floats, ws: Float64Array, m: number, k: number): void {
  for (let i0 = 0; i0 < m; i0 += PANEL_ROWS) {
    const panel = i0 * k;
    for (let r = 0; r < PANEL_ROWS; r++) {
      const i = i0 + r;
      if (i < m) {
        const row = i * k;
        for (let p = 0; p < k; p++) ws[panel + p * 3 + r] = a[row + p]!;
      } else {
        for (let p = 0; p < k; p++) ws[panel + p * 3 + r] = 0;
      }
    }
  }
}

/** A(i, p) = a[p·m + i]: A is read transposed */
function packColumnsOfA(a: Floats, ws: Float64Array, m: number, k: number): void {
  const fullPanels = m - (m % PANEL_ROWS);
  for (let p = 0; p < k; p++) {
    const row = p * m;
    let i0 = 0;
    for (; i0 < fullPanels; i0 += 3) {
      const at = i0 * k + p * 3;
      ws[at] = a[row + i0]!;
      ws[at + 1] = a[row + i0 + 1]!;
      ws[at + 2] = a[row + i0 + 2]!;
    }
    if (i0 < m) {
      const at = i0 * k + p * PANEL_ROWS;
      for (let r = 0; r < PANEL_ROWS; r++) ws[at + r] = i0 + r < m ? a[row + i0 + r]! : 0;
    }
  }
}

/** B(p, j) = b[p·n + j] */
function packRowsOfB(b: Floats, ws: Float64Array, bOffset: number, k: number, n: number): void {
  const fullPanels = n - (n % PANEL_COLS);
  for (let p = 0; p < k; p++) {
    const row = p * n;
    let j0 = 0;
    for (; j0 < fullPanels; j0 += 3) {
      const at = bOffset + j0 * k + p * 3;
      ws[at] = b[row + j0]!;
      ws[at + 1] = b[row + j0 + 1]!;
      ws[at + 2] = b[row + j0 + 2]!;
    }
    if (j0 < n) {
      const at = bOffset + j0 * k + p * PANEL_COLS;
      for (let t = 0; t < PANEL_COLS; t++) ws[at + t] = j0 + t < n ? b[row + j0 + t]! : 0;
    }
  }
}

/** B(p, j) = b[j·k + p]: B is read transposed */
function packColumnsOfB(b: Floats, ws: Float64Array, bOffset: number, k: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += PANEL_COLS) {
    const panel = bOffset + j0 * k;
    for (let t = 0; t < PANEL_COLS; t++) {
      const j = j0 + t;
      if (j < n) {
        const row = j * k;
        for (let p = 0; p < k; p++) ws[panel + p * 3 + t] = b[row + p]!;
      } else {
        for (let p = 0; p < k; p++) ws[panel + p * 3 + t] = 0;
      }
    }
  }
}

// ---- micro-kernel --------------------------------------------------------------------------------------

/**
 * C = packed A · packed B, one 3×3 block of C at a time with its nine sums in registers for the whole k
 * loop. Column panels outside, row panels inside: the B panel (3·k doubles) stays in L1 while A streams.
 *
 * Written for V8's code generator, measured (each ~5–10% of a W1 training step):
 * - 3 is a literal, not PANEL_ROWS: a module-level constant is reloaded from its context every iteration.
 * - One induction variable: A and B panels advance by the same stride, so B's index is A's plus a
 *   constant offset d, saving an increment and its overflow check per iteration.
 * - `& 0x3fffffff` proves to V8 that qa + 2 and qa + d cannot overflow int32 (the workspace holds far
 *   fewer than 2^30 values), which drops the overflow check from every index computation.
 */
function multiplyPanels(ws: Float64Array, bOffset: number, c: Floats, m: number, k: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += 3) {
    const bStart = bOffset + j0 * k;
    const fullCols = j0 + 3 <= n;
    for (let i0 = 0; i0 < m; i0 += 3) {
      const aStart = i0 * k;
      const aEnd = aStart + 3 * k;
      const d = (bStart - aStart) & 0x3fffffff;
      let c00 = 0, c01 = 0, c02 = 0;
      let c10 = 0, c11 = 0, c12 = 0;
      let c20 = 0, c21 = 0, c22 = 0;
      for (let pa = aStart; pa < aEnd; pa += 3) {
        const qa = pa & 0x3fffffff;
        const qb = qa + d;
        const b0 = ws[qb]!, b1 = ws[qb + 1]!, b2 = ws[qb + 2]!;
        let a = ws[qa]!;
        c00 += a * b0; c01 += a * b1; c02 += a * b2;
        a = ws[qa + 1]!;
        c10 += a * b0; c11 += a * b1; c12 += a * b2;
        a = ws[qa + 2]!;
        c20 += a * b0; c21 += a * b1; c22 += a * b2;
      }
      if (fullCols && i0 + 3 <= m) {
        let row = i0 * n + j0;
        c[row] = c00; c[row + 1] = c01; c[row + 2] = c02;
        row += n;
        c[row] = c10; c[row + 1] = c11; c[row + 2] = c12;
        row += n;
        c[row] = c20; c[row + 1] = c21; c[row + 2] = c22;
      } else {
        edgeBlock[0] = c00; edgeBlock[1] = c01; edgeBlock[2] = c02;
        edgeBlock[3] = c10; edgeBlock[4] = c11; edgeBlock[5] = c12;
        edgeBlock[6] = c20; edgeBlock[7] = c21; edgeBlock[8] = c22;
        storeEdgeBlock(c, i0, j0, m, n);
      }
    }
  }
}

function storeEdgeBlock(c: Floats, i0: number, j0: number, m: number, n: number): void {
  for (let r = 0; r < PANEL_ROWS && i0 + r < m; r++) {
    for (let t = 0; t < PANEL_COLS && j0 + t < n; t++) c[(i0 + r) * n + j0 + t] = edgeBlock[r * PANEL_COLS + t]!;
  }
}

// ---- naive references ----------------------------------------------------------------------------------

export function matmulNaive(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

export function matmulTNNaive(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[p * m + i]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

export function matmulNTNaive(a: Floats, b: Floats, c: Floats, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[j * k + p]!;
      c[i * n + j] = sum;
    }
  }
}
