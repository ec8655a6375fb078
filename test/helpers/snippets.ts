import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, requireTorch } from './python.js';

/**
 * Runs the code blocks of a markdown page as a reader would: in order, in one folder, each in a fresh process
 * (TypeScript through tsx, Python through Debian's python3, shell through bash). `import ... from 'neurite'`
 * points at this checkout's source; other packages come from its node_modules.
 *
 * An HTML comment right before a block says what it is, invisibly on the rendered page:
 *   <!-- name: X -->        the block runs and its stdout is kept under X for the test's comparisons
 *   <!-- file: NAME -->     the block is not run: it must equal the file NAME that earlier blocks wrote
 *   <!-- output -->         the block is not run: it must equal the stdout of the block before it
 */

export interface Block {
  lang: string;
  code: string;
  /** the HTML comment's content before the block, if any */
  note?: string;
  /** 1-based line of the opening fence, for messages */
  line: number;
}

export function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`unclosed code block at line ${start + 1}`);
    const previous = lines[start - 1]?.trim() ?? '';
    const note = /^<!--\s*(.*?)\s*-->$/.exec(previous)?.[1];
    blocks.push({ lang: open[1]!, code: `${body.join('\n')}\n`, note, line: start + 1 });
  }
  return blocks;
}

/** The markdown between a heading and the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`no heading ${JSON.stringify(heading)}`);
  const level = /^#+/.exec(heading)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

export class SnippetRunner {
  readonly outputs = new Map<string, string>();
  private count = 0;

  constructor(
    readonly root: string,
    readonly dir: string,
  ) {
    // bare imports (@tensorflow/tfjs, onnxruntime-node) resolve from the checkout's node_modules
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }

  /** 'neurite' → this checkout's src/index.ts (the source under test, not a possibly stale dist/). */
  private typescript(code: string): string {
    return code.replace(/from 'neurite'/g, `from ${JSON.stringify(join(this.root, 'src', 'index.ts'))}`);
  }

  private exec(command: string, args: string[], label: string): string {
    const run = spawnSync(command, args, { cwd: this.dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    if (run.status !== 0) throw new Error(`${label} failed (${run.status ?? run.signal}):\n${run.stderr}\n${run.stdout}`);
    return run.stdout;
  }

  /** Runs one block (or checks it, for file/output notes); returns its stdout. */
  run(block: Block, where: string, previousOutput: string | undefined): string {
    const label = `${where}:${block.line} (\`\`\`${block.lang})`;
    if (block.note?.startsWith('file:')) {
      const name = block.note.slice(5).trim();
      const actual = readFileSync(join(this.dir, name), 'utf8');
      if (actual !== block.code) throw new Error(`${label}: the page shows ${name}, but the file written is:\n${actual}`);
      return '';
    }
    if (block.note === 'output') {
      if (previousOutput === undefined) throw new Error(`${label}: an output block needs a block before it`);
      if (previousOutput !== block.code) throw new Error(`${label}: the page shows this output, but the block before printed:\n${previousOutput}`);
      return '';
    }
    const n = ++this.count;
    let out: string;
    if (block.lang === 'ts') {
      const file = join(this.dir, `snippet-${n}.mts`);
      writeFileSync(file, this.typescript(block.code));
      out = this.exec(join(this.root, 'node_modules', '.bin', 'tsx'), [file], label);
    } else if (block.lang === 'python') {
      requireTorch();
      const file = join(this.dir, `snippet_${n}.py`);
      writeFileSync(file, block.code);
      out = this.exec(PYTHON, [file], label);
    } else if (block.lang === 'sh') {
      const cli = `neurite() { ${JSON.stringify(join(this.root, 'node_modules', '.bin', 'tsx'))} ${JSON.stringify(join(this.root, 'src', 'cli', 'main.ts'))} "$@"; }\n`;
      out = this.exec('bash', ['-euc', cli + block.code.replace(/\bnpx neurite\b/g, 'neurite')], label);
    } else {
      throw new Error(`${label}: a \`\`\`${block.lang} block that is neither run nor checked (mark it <!-- output --> or <!-- file: NAME -->)`);
    }
    if (block.note?.startsWith('name:')) this.outputs.set(block.note.slice(5).trim(), out);
    return out;
  }
}

/** The last line of a block's output, parsed as a JSON array of numbers. */
export function lastJson(out: string | undefined, name: string): number[] {
  if (out === undefined) throw new Error(`no output named ${name}`);
  const line = out.trim().split('\n').at(-1)!;
  return JSON.parse(line) as number[];
}
