import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every module reachable from `entry` through relative imports, with each one's non-relative imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]!);
    graph.set(file, specifiers.filter((s) => !s.startsWith('.')));
    for (const s of specifiers.filter((s) => s.startsWith('.'))) visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return graph;
}

describe('src/data/index.ts is browser-safe', () => {
  it('reaches no node: or other package import', () => {
    const graph = importGraph(fileURLToPath(new URL('../src/data/index.ts', import.meta.url)));
    expect(graph.size).toBeGreaterThanOrEqual(7); // index, iris, normalize, check, onehot, split, csv, tensor, rng
    for (const [file, external] of graph) expect({ file, external }).toEqual({ file, external: [] });
  });

  it('the scan does see node: imports where they are (node.ts)', () => {
    const graph = importGraph(fileURLToPath(new URL('../src/data/node.ts', import.meta.url)));
    const external = [...graph.values()].flat();
    expect(external).toContain('node:zlib');
    expect(external).toContain('node:fs');
  });
});
