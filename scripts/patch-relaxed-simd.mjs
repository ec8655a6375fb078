#!/usr/bin/env node
// Rewrites clang 14's prototype relaxed-SIMD opcode to the standard one, after the link of a module built with
// -mrelaxed-simd (the "wasmrelaxedsimd" GEMM kernel, native/src/gemm/gemm_ukernel_5x8_wasmsimd.cpp):
//
//   f32x4.relaxed_fma  0xfd 0xaf 0x01  (LEB128 175: the 2021 prototype, which clang 14 emits)
//   f32x4.relaxed_madd 0xfd 0x85 0x02  (LEB128 261: the standard, which V8 11.4+ accepts)
//
// Same length, same operands and the same meaning (a·b + c), so only those three bytes change. They are looked for
// in the code section only, and the rewrite is refused unless their count there equals the count of relaxed_fma
// instructions in binaryen's disassembly of the same module (wasm-dis, installed with Debian's emscripten): a byte
// pattern that is not an instruction (part of an immediate) would make the counts differ. The module itself uses
// no other relaxed-SIMD instruction; any other is refused for the same reason.
//
//   node scripts/patch-relaxed-simd.mjs FILE      FILE: a .wasm, or the .mjs/.cjs Emscripten inlined it into
//                                                 (-sSINGLE_FILE, a base64 data: URI)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROTOTYPE = [0xfd, 0xaf, 0x01];
const STANDARD = [0xfd, 0x85, 0x02];
// The inlined module: a data: URI whose payload starts with the wasm magic number ("\0asm" is "AGFzbQ" in base64).
// The loader also holds the bare prefix as a string of its own.
const DATA_URI = 'data:application/octet-stream;base64,AGFzbQ';

function fail(message) {
  console.error(`patch-relaxed-simd: ${message}`);
  process.exit(1);
}

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    if (b === undefined) fail('truncated LEB128 in the module header');
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return { value, next: at };
  }
}

/** [start, end) of the code section (id 10). */
function codeSection(bytes) {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) fail('not a wasm module');
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const { value: size, next } = leb(bytes, at + 1);
    if (id === 10) return [next, next + size];
    at = next + size;
  }
  return fail('the module has no code section');
}

function positions(bytes, [start, end], pattern) {
  const found = [];
  for (let i = start; i + pattern.length <= end; i++) if (pattern.every((b, j) => bytes[i + j] === b)) found.push(i);
  return found;
}

/** The relaxed-SIMD instructions binaryen's disassembler reads in the module, by name. */
function relaxedInstructions(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-relaxed-'));
  try {
    const file = join(dir, 'module.wasm');
    writeFileSync(file, bytes);
    const r = spawnSync('wasm-dis', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.error || r.status !== 0) fail(`wasm-dis failed (${r.error?.message ?? r.stderr.trim()}); it comes with Debian's emscripten package (binaryen)`);
    const counts = {};
    for (const m of r.stdout.matchAll(/\((\w+x\d+\.relaxed_\w+)/g)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function patch(bytes) {
  const section = codeSection(bytes);
  const sites = positions(bytes, section, PROTOTYPE);
  const counts = relaxedInstructions(bytes);
  const { 'f32x4.relaxed_fma': fma = 0, ...others } = counts;
  if (Object.keys(others).length > 0) fail(`other relaxed-SIMD instructions, which this script does not rewrite: ${JSON.stringify(others)}`);
  if (fma === 0) fail('no f32x4.relaxed_fma in the module: was it built with -mrelaxed-simd (NEURITE_WASM_RELAXED=ON)?');
  if (sites.length !== fma) fail(`${sites.length} occurrences of the opcode's bytes in the code section, but ${fma} f32x4.relaxed_fma instructions`);
  for (const i of sites) STANDARD.forEach((b, j) => (bytes[i + j] = b));
  return sites.length;
}

const file = process.argv[2];
if (!file || process.argv.length > 3) fail('usage: node scripts/patch-relaxed-simd.mjs FILE.wasm|FILE.mjs|FILE.cjs');
let count;
if (file.endsWith('.wasm')) {
  const bytes = new Uint8Array(readFileSync(file));
  count = patch(bytes);
  writeFileSync(file, bytes);
} else {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(DATA_URI);
  if (start < 0 || text.indexOf(DATA_URI, start + 1) >= 0) fail(`${file}: expected exactly one inlined module (a data: URI of a wasm binary)`);
  const from = start + DATA_URI.length - 'AGFzbQ'.length;
  const to = text.indexOf('"', from);
  const bytes = new Uint8Array(Buffer.from(text.slice(from, to), 'base64'));
  count = patch(bytes);
  writeFileSync(file, text.slice(0, from) + Buffer.from(bytes).toString('base64') + text.slice(to));
}
console.log(`patch-relaxed-simd: ${count} f32x4.relaxed_fma rewritten as the standard f32x4.relaxed_madd in ${file}`);
