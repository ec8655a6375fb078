/**
 * Every system the suite knows, each run in a warm child process of its own: the three neurite backends and the
 * peers. A system that cannot run here says why before anything is spawned (a package not installed, no
 * Debian python3-torch) or from its child (an addon that did not build, a BLAS that is not OpenBLAS).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { workloads as allWorkloads, type Speed, type Workload } from './plan.js';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Debian's interpreter, which has python3-torch; not a pyenv/venv python3 that may be first on PATH */
export const PYTHON = '/usr/bin/python3';

export interface SystemDef {
  id: string;
  label: string;
  group: 'neurite' | 'peer';
  runner: 'node' | 'python';
  /** the child's script, relative to bench/ */
  entry: string;
  options: Record<string, string | number>;
  speed: Speed;
  workloads: Workload[];
  scaling: boolean;
  /** environment for the child (thread counts of BLAS/OpenMP) */
  env?: Record<string, string>;
  /** variables removed from the child's environment (only there: the suite's own is left alone) */
  unsetEnv?: string[];
  /** why it cannot run here, decided without starting it; undefined if it may */
  unavailable?: () => string | undefined;
}

const requireFromBench = createRequire(new URL('../package.json', import.meta.url));

function missingPackage(name: string, hint = 'run `npm install` in bench/ (see bench/README.md)'): string | undefined {
  try {
    requireFromBench.resolve(`${name}/package.json`);
    return undefined;
  } catch {
    return `${name} is not installed: ${hint}`;
  }
}

const inference: Workload[] = ['w3Latency', 'w3Throughput'];

function torch(threads: number): SystemDef {
  const t = String(threads);
  return {
    id: `torch-${threads}`,
    label: `PyTorch ×${threads}`,
    group: 'peer',
    runner: 'python',
    entry: 'torch_bench.py',
    options: { threads },
    speed: 'fast',
    workloads: allWorkloads,
    scaling: true,
    env: { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_WAIT_POLICY: 'PASSIVE' },
    // Set on some machines for old OpenBLAS builds: with them OpenBLAS runs its AVX2 kernels on AVX-512 CPUs.
    unsetEnv: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'],
    unavailable: () => (existsSync(PYTHON) ? undefined : `${PYTHON} is missing (Debian: apt-get install python3-torch)`),
  };
}

function native(threads: number): SystemDef {
  return {
    id: `neurite-native-${threads}`,
    label: `neurite native ×${threads}`,
    group: 'neurite',
    runner: 'node',
    entry: 'systems/neurite.ts',
    options: { backend: 'native', threads },
    speed: 'fast',
    workloads: allWorkloads,
    scaling: true,
  };
}

/**
 * W3 batch-1024 through predictSync, on the JavaScript thread: what onnxruntime-node's run() does, so the
 * like-for-like comparison with it (neurite native ×N itself measures the awaited predict, on a worker thread).
 */
function nativeSync(threads: number): SystemDef {
  return {
    id: `neurite-native-${threads}-sync`,
    label: `neurite native ×${threads} predictSync`,
    group: 'neurite',
    runner: 'node',
    entry: 'systems/neurite.ts',
    options: { backend: 'native', threads, predict: 'sync' },
    speed: 'fast',
    workloads: ['w3Throughput'],
    scaling: false,
  };
}

/** threads: the Model API's option; a wasm build without threads runs 1 and its child says so */
function wasm(threads: number): SystemDef {
  return {
    id: threads === 1 ? 'neurite-wasm' : `neurite-wasm-${threads}`,
    label: threads === 1 ? 'neurite wasm' : `neurite wasm ×${threads}`,
    group: 'neurite',
    runner: 'node',
    entry: 'systems/neurite.ts',
    options: { backend: 'wasm', threads },
    speed: 'fast',
    workloads: allWorkloads,
    scaling: false,
  };
}

function onnx(threads: number): SystemDef {
  return {
    id: `onnx-${threads}`,
    label: `onnxruntime-node ×${threads}`,
    group: 'peer',
    runner: 'node',
    entry: 'systems/onnx.ts',
    options: { threads },
    speed: 'fast',
    workloads: inference,
    scaling: false,
    unavailable: () => missingPackage('onnxruntime-node'),
  };
}

export const systems: SystemDef[] = [
  {
    id: 'neurite-ts',
    label: 'neurite ts',
    group: 'neurite',
    runner: 'node',
    entry: 'systems/neurite.ts',
    options: { backend: 'ts' },
    speed: 'slow',
    workloads: allWorkloads,
    scaling: true,
  },
  native(1),
  native(2),
  nativeSync(1),
  nativeSync(2),
  wasm(1),
  wasm(2),
  {
    id: 'tfjs-cpu',
    label: 'tfjs cpu',
    group: 'peer',
    runner: 'node',
    entry: 'systems/tfjs.ts',
    options: { backend: 'cpu' },
    speed: 'slow',
    workloads: allWorkloads,
    scaling: false,
    unavailable: () => missingPackage('@tensorflow/tfjs'),
  },
  {
    id: 'tfjs-wasm',
    label: 'tfjs wasm',
    group: 'peer',
    runner: 'node',
    entry: 'systems/tfjs.ts',
    options: { backend: 'wasm' },
    speed: 'slow',
    workloads: allWorkloads,
    scaling: false,
    unavailable: () => missingPackage('@tensorflow/tfjs') ?? missingPackage('@tensorflow/tfjs-backend-wasm'),
  },
  {
    id: 'tfjs-node',
    label: 'tfjs-node',
    group: 'peer',
    runner: 'node',
    entry: 'systems/tfjs.ts',
    options: { backend: 'tensorflow' },
    speed: 'fast',
    workloads: allWorkloads,
    scaling: false,
    unavailable: () =>
      missingPackage(
        '@tensorflow/tfjs-node',
        'it cannot be installed offline (its install script downloads libtensorflow from outside the npm registry), so it is not a dependency of bench/',
      ),
  },
  {
    id: 'brain',
    label: 'brain.js',
    group: 'peer',
    runner: 'node',
    entry: 'systems/brain.ts',
    options: {},
    speed: 'slowest',
    workloads: allWorkloads,
    scaling: false,
    unavailable: () => missingPackage('brain.js'),
  },
  onnx(1),
  onnx(2),
  torch(1),
  torch(2),
];

export const neuriteSystemIds = systems.filter((s) => s.group === 'neurite').map((s) => s.id);
