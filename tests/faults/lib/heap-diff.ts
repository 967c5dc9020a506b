/**
 * Compares two V8 heap snapshots of one process (the soak's warm.heapsnapshot and end.heapsnapshot, see
 * FAULTS_SOAK_SNAPSHOTS in scenarios/soak.ts) for a leak hunt. V8 keeps an object's snapshot id across snapshots
 * of the same process, so "born after the first and still alive at the second" is exact, not a guess from counts.
 *
 *   npx tsx tests/faults/lib/heap-diff.ts warm.heapsnapshot end.heapsnapshot [--mid mid.heapsnapshot] [--top 25] [--paths 3]
 *
 * With --mid, "born" is narrowed to the objects already alive at the middle snapshot: born in the first half and
 * kept to the end, so what was merely in flight at the end (requests, timers, buffers) drops out.
 *
 * Prints the objects born in between grouped by (type, constructor) with count and bytes, the totals per group in
 * both snapshots, the containers alive in both that gained the most edges (a growing Map, array or object), and for
 * the largest groups the shortest retaining path from the GC roots of a few samples.
 */
import { readFileSync } from 'node:fs';

interface Raw {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export class Heap {
  readonly nf: number;
  readonly ef: number;
  readonly count: number;
  private readonly firstEdge: Uint32Array;
  private readonly o: { type: number; name: number; id: number; size: number; edges: number; eType: number; eName: number; eTo: number };
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];

  constructor(private readonly raw: Raw) {
    const m = raw.snapshot.meta;
    this.nf = m.node_fields.length;
    this.ef = m.edge_fields.length;
    this.o = { type: m.node_fields.indexOf('type'), name: m.node_fields.indexOf('name'), id: m.node_fields.indexOf('id'),
      size: m.node_fields.indexOf('self_size'), edges: m.node_fields.indexOf('edge_count'),
      eType: m.edge_fields.indexOf('type'), eName: m.edge_fields.indexOf('name_or_index'), eTo: m.edge_fields.indexOf('to_node') };
    this.nodeTypes = m.node_types[0];
    this.edgeTypes = m.edge_types[0];
    this.count = raw.nodes.length / this.nf;
    this.firstEdge = new Uint32Array(this.count + 1);
    for (let i = 0, e = 0; i < this.count; i++) {
      this.firstEdge[i] = e;
      e += raw.nodes[i * this.nf + this.o.edges]! * this.ef;
      this.firstEdge[i + 1] = e;
    }
  }

  static read(file: string): Heap {
    return new Heap(JSON.parse(readFileSync(file, 'utf8')) as Raw);
  }

  id(i: number): number { return this.raw.nodes[i * this.nf + this.o.id]!; }
  edgeCount(i: number): number { return this.raw.nodes[i * this.nf + this.o.edges]!; }
  size(i: number): number { return this.raw.nodes[i * this.nf + this.o.size]!; }
  type(i: number): string { return this.nodeTypes[this.raw.nodes[i * this.nf + this.o.type]!] ?? '?'; }
  name(i: number): string { return this.raw.strings[this.raw.nodes[i * this.nf + this.o.name]!] ?? '?'; }
  /** (type, constructor or string kind): the group an object is counted in. */
  group(i: number): string {
    const t = this.type(i);
    return t === 'object' || t === 'closure' || t === 'native' ? `${t} ${this.name(i).slice(0, 60)}` : t;
  }

  *edges(i: number): Generator<{ type: string; name: string; to: number }> {
    const r = this.raw;
    for (let e = this.firstEdge[i]!; e < this.firstEdge[i + 1]!; e += this.ef) {
      const type = this.edgeTypes[r.edges[e + this.o.eType]!] ?? '?';
      const n = r.edges[e + this.o.eName]!;
      yield { type, name: type === 'element' || type === 'hidden' ? `[${n}]` : (r.strings[n] ?? '?'), to: r.edges[e + this.o.eTo]! / this.nf };
    }
  }

  /** Distance from the root (node 0) over strong edges, and each node's retainers. */
  graph(): { dist: Int32Array; retainers: Array<Array<{ from: number; edge: string }>> } {
    const dist = new Int32Array(this.count).fill(-1);
    const retainers: Array<Array<{ from: number; edge: string }>> = Array.from({ length: this.count }, () => []);
    for (let i = 0; i < this.count; i++) {
      for (const e of this.edges(i)) if (e.type !== 'weak') retainers[e.to]!.push({ from: i, edge: `${e.type}:${e.name}` });
    }
    dist[0] = 0;
    let frontier = [0];
    while (frontier.length) {
      const next: number[] = [];
      for (const i of frontier) {
        for (const e of this.edges(i)) {
          if (e.type === 'weak' || dist[e.to] !== -1) continue;
          dist[e.to] = dist[i]! + 1;
          next.push(e.to);
        }
      }
      frontier = next;
    }
    return { dist, retainers };
  }
}

interface Group { count: number; bytes: number; samples: number[] }

function byGroup(h: Heap, keep: (i: number) => boolean): Map<string, Group> {
  const out = new Map<string, Group>();
  for (let i = 0; i < h.count; i++) {
    if (!keep(i)) continue;
    const g = h.group(i);
    const cur = out.get(g) ?? { count: 0, bytes: 0, samples: [] };
    cur.count += 1;
    cur.bytes += h.size(i);
    if (cur.samples.length < 50) cur.samples.push(i);
    out.set(g, cur);
  }
  return out;
}

function pathFromRoot(h: Heap, g: ReturnType<Heap['graph']>, i: number): string {
  const steps: string[] = [];
  let cur = i;
  for (let guard = 0; guard < 40 && g.dist[cur]! > 0; guard++) {
    const r = g.retainers[cur]!.filter((x) => g.dist[x.from] === g.dist[cur]! - 1)[0];
    if (!r) break;
    steps.push(`${h.group(r.from)} --${r.edge}-->`);
    cur = r.from;
  }
  return [...steps.reverse(), h.group(i)].join('\n      ');
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, d: number) => { const k = args.indexOf(name); return k >= 0 ? Number(args[k + 1]) : d; };
  const midFile = args.includes('--mid') ? args[args.indexOf('--mid') + 1] : undefined;
  const [a, b] = args.filter((x, k) => !x.startsWith('--') && !args[k - 1]?.startsWith('--'));
  if (!a || !b) { process.stderr.write('usage: heap-diff <before.heapsnapshot> <after.heapsnapshot> [--mid <mid.heapsnapshot>] [--top N] [--paths N]\n'); process.exit(2); }
  const top = opt('--top', 25);
  const paths = opt('--paths', 3);
  const before = Heap.read(a);
  const ids = new Set<number>();
  const edgesBefore = new Map<number, number>();
  for (let i = 0; i < before.count; i++) { ids.add(before.id(i)); edgesBefore.set(before.id(i), before.edgeCount(i)); }
  const beforeGroups = byGroup(before, () => true);
  // Ids of objects alive at the middle snapshot; without --mid every id counts.
  let atMid: ((id: number) => boolean) = () => true;
  if (midFile) {
    const mid = Heap.read(midFile);
    const midIds = new Set<number>();
    for (let i = 0; i < mid.count; i++) midIds.add(mid.id(i));
    atMid = (id) => midIds.has(id);
  }
  const after = Heap.read(b);
  const afterGroups = byGroup(after, () => true);
  const isBorn = (i: number) => !ids.has(after.id(i)) && atMid(after.id(i));
  const born = byGroup(after, isBorn);
  const kb = (x: number) => `${(x / 1024).toFixed(1)} KB`;
  const rows = [...born.entries()].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, top);
  process.stdout.write(`nodes ${before.count} → ${after.count}; born in between${midFile ? ' (alive at mid)' : ''} and alive: ${[...born.values()].reduce((s, g) => s + g.count, 0)} objects, `
    + `${kb([...born.values()].reduce((s, g) => s + g.bytes, 0))}\n\n`);
  process.stdout.write('born & alive  | group total before → after | group\n');
  for (const [name, g] of rows) {
    const bg = beforeGroups.get(name);
    const ag = afterGroups.get(name);
    process.stdout.write(`${String(g.count).padStart(6)} ${kb(g.bytes).padStart(10)} | ${String(bg?.count ?? 0).padStart(7)} → ${String(ag?.count ?? 0).padEnd(7)} `
      + `${kb(bg?.bytes ?? 0)} → ${kb(ag?.bytes ?? 0)} | ${name}\n`);
  }
  if (paths <= 0) return;
  const graph = after.graph();
  // Containers alive in both whose edge count grew most (a Map's table, an array's elements, an object's properties).
  const grown: Array<[number, number]> = [];
  for (let i = 0; i < after.count; i++) {
    const was = edgesBefore.get(after.id(i));
    if (was !== undefined && after.edgeCount(i) - was >= 20) grown.push([i, after.edgeCount(i) - was]);
  }
  grown.sort((x, y) => y[1] - x[1]);
  process.stdout.write(`\n== containers alive in both that gained ≥ 20 edges: ${grown.length}\n`);
  for (const [i, d] of grown.slice(0, top)) {
    process.stdout.write(`  +${d} edges (now ${after.edgeCount(i)}): ${pathFromRoot(after, graph, i).split('\n      ').slice(-6).join(' ')}\n`);
  }
  // Owners: for each born object, the nearest object on its shortest path from the root that was alive before
  // (the Map, array or object the new things were hung on), grouped by that owner's path with indices dropped.
  const ownerOf = new Int32Array(after.count).fill(-1);
  const owner = (i: number): number => {
    const chain: number[] = [];
    let cur = i;
    while (ownerOf[cur] === -1 && !ids.has(after.id(cur)) && graph.dist[cur]! > 0) {
      chain.push(cur);
      const r = graph.retainers[cur]!.find((x) => graph.dist[x.from] === graph.dist[cur]! - 1);
      if (!r) break;
      cur = r.from;
    }
    const found = ownerOf[cur] !== -1 ? ownerOf[cur]! : cur;
    for (const c of chain) ownerOf[c] = found;
    return found;
  };
  const owners = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < after.count; i++) {
    if (!isBorn(i) || graph.dist[i]! < 0) continue;
    const o = owner(i);
    const label = pathFromRoot(after, graph, o).split('\n      ').slice(-4).join(' ').replace(/\[\d+\]/g, '[]').replace(/:\d+-->/g, ':n-->');
    const cur = owners.get(label) ?? { count: 0, bytes: 0 };
    cur.count += 1;
    cur.bytes += after.size(i);
    owners.set(label, cur);
  }
  process.stdout.write('\n== where the born objects hang (nearest object alive in both, by path): top by bytes\n');
  for (const [label, o] of [...owners].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, top)) {
    process.stdout.write(`  ${kb(o.bytes).padStart(10)} ${String(o.count).padStart(6)} objects under: ${label}\n`);
  }
  for (const [name, g] of rows.slice(0, 8)) {
    process.stdout.write(`\n== ${name}: retaining paths of ${Math.min(paths, g.samples.length)} born objects\n`);
    const seen = new Set<string>();
    for (const i of g.samples) {
      const p = pathFromRoot(after, graph, i);
      if (seen.has(p)) continue;
      seen.add(p);
      process.stdout.write(`  - ${p}\n`);
      if (seen.size >= paths) break;
    }
  }
}

if (process.argv[1]?.endsWith('heap-diff.ts')) main();
