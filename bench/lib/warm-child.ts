/**
 * The orchestrator's handle on one system's child process, which stays up for the whole suite and runs one
 * command at a time (lib/protocol.ts). Keeping the child warm is what makes alternation fair: every round of
 * every system measures an object that has already run (the first round is a warm-up), and no round pays for
 * a process start, a module load or the data set being read.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { benchDir, PYTHON, type SystemDef } from './systems.js';
import { REPLY_PREFIX, type Command, type ReadyInfo, type Reply, type StartRequest, type Task } from './protocol.js';

const registerTs = fileURLToPath(new URL('./register-ts.mjs', import.meta.url));

/** The child's environment: the suite's, plus the system's settings, minus what the system must not inherit. */
export function childEnv(def: SystemDef, base: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; unset: Record<string, string> } {
  const env: NodeJS.ProcessEnv = { ...base, ...def.env };
  const unset: Record<string, string> = {};
  for (const name of def.unsetEnv ?? []) {
    if (env[name] !== undefined) unset[name] = env[name]!;
    delete env[name];
  }
  return { env, unset };
}

type Pending = { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class WarmChild {
  readonly ready: Promise<ReadyInfo>;
  /** OPENBLAS_* values removed from this child's environment */
  readonly unset: Record<string, string>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly tail: string[] = [];
  private nextId = 1;
  private exited: string | undefined;
  private readonly started = performance.now();

  constructor(
    readonly def: SystemDef,
    request: StartRequest,
    private readonly log: (line: string) => void,
    startTimeoutMs: number,
  ) {
    const { env, unset } = childEnv(def);
    this.unset = unset;
    const [command, args] =
      def.runner === 'python'
        ? [PYTHON, [join(benchDir, def.entry), JSON.stringify(request)]]
        : [process.execPath, ['--import', pathToFileURL(registerTs).href, join(benchDir, def.entry), JSON.stringify(request)]];
    this.child = spawn(command, args, { cwd: benchDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let onReady: (r: ReadyInfo) => void;
    this.ready = new Promise<ReadyInfo>((resolve) => (onReady = resolve));
    const readyTimer = setTimeout(() => {
      onReady({ available: false, reason: `no answer ${startTimeoutMs / 1000} s after start: ${this.lastLines()}` });
      this.kill();
    }, startTimeoutMs);

    this.lines(this.child.stdout, (line) => {
      if (!line.startsWith(REPLY_PREFIX)) return this.note(line);
      const r = JSON.parse(line.slice(REPLY_PREFIX.length)) as Reply;
      if (r.type === 'ready') {
        clearTimeout(readyTimer);
        const { type: _type, ...info } = r;
        onReady(info);
        return;
      }
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      clearTimeout(p.timer);
      p.resolve(r);
    });
    this.lines(this.child.stderr, (line) => this.note(line));
    this.child.on('error', (e) => this.fail(String(e)));
    this.child.on('close', (status, signal) => {
      clearTimeout(readyTimer);
      this.fail(signal ? `killed by ${signal}` : `exited with status ${status}`);
      onReady({ available: false, reason: `${this.exited}: ${this.lastLines()}` });
    });
    this.child.stdin.on('error', () => undefined); // a child that died: its close event reports it
  }

  /** the child's process id while it runs (lib/quiet.ts reads its CPU time) */
  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  /** One run of a task; rejects with the child's error message (or its death) */
  async run(task: Task, timeoutMs: number): Promise<number> {
    const r = await this.send({ op: 'run', id: 0, task }, timeoutMs);
    if (r.type === 'error') throw new Error(r.error);
    if (r.type !== 'result') throw new Error(`unexpected reply ${JSON.stringify(r)}`);
    return r.value;
  }

  async release(key: string): Promise<void> {
    await this.send({ op: 'release', id: 0, key }, 60_000);
  }

  /** Asks the child to finish; returns its peak RSS (MiB) and wall time. */
  async finish(): Promise<{ peakRssMiB?: number; wallSeconds: number }> {
    const wallSeconds = (performance.now() - this.started) / 1000;
    if (this.exited) return { wallSeconds };
    try {
      const r = await this.send({ op: 'finish', id: 0 }, 60_000);
      return { peakRssMiB: r.type === 'done' ? r.peakRssMiB : undefined, wallSeconds };
    } catch {
      return { wallSeconds };
    } finally {
      this.child.stdin.end();
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** the last lines the child printed (for a failure's reason) */
  lastLines(): string {
    return this.tail.slice(-3).join(' | ') || 'no output';
  }

  private send(command: Command, timeoutMs: number): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(`${this.exited}: ${this.lastLines()}`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer within ${timeoutMs / 1000} s (child killed): ${this.lastLines()}`));
        this.kill();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  private fail(why: string): void {
    this.exited ??= why;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${why}: ${this.lastLines()}`));
    }
    this.pending.clear();
  }

  private note(line: string): void {
    if (!line.trim()) return;
    this.tail.push(line.trim());
    if (this.tail.length > 20) this.tail.shift();
    this.log(`[${this.def.id}] ${line.trim()}`);
  }

  private lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
  }
}
