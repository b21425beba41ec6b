/**
 * src/ has no import cycles, type imports included: the engine's shared types (engine/types.ts,
 * engine/state.ts) and the leaves they name import nothing that leads back to them, and no two
 * concerns lean on each other.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';

const SRC = path.join(PROJECT_ROOT, 'src');

/** Module → the src modules it imports or re-exports from (static, relative specifiers). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(path.sep).join('/'));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map(
      (m) => m[1]!
    );
    const deps = specifiers
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)))
      .map((s) => s.replace(/\.js$/, '.ts'))
      .filter((s) => known.has(s));
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('src imports', () => {
  it('form no cycle', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('the check sees a cycle when there is one', () => {
    const graph = new Map([
      ['engine/types.ts', ['engine/state.ts']],
      ['engine/state.ts', ['tools/cache/record.ts']],
      ['tools/cache/record.ts', ['engine/types.ts']],
      ['leaf.ts', []]
    ]);
    expect(cycles(graph)).toEqual([
      ['engine/state.ts', 'engine/types.ts', 'tools/cache/record.ts']
    ]);
  });

  it('the graph holds the type imports of the engine types', () => {
    const graph = importGraph();
    expect(graph.get('engine/types.ts')).toEqual(
      expect.arrayContaining(['engine/state.ts', 'inputs.ts'])
    );
  });
});
