/**
 * Isolation Forest (Liu, Ting & Zhou, ICDM 2008), pure and seeded.
 *
 *   fit      t trees, each grown on a subsample of ψ points drawn without replacement, to the height
 *            limit ceil(log2 ψ); a node splits on a random attribute (among those not constant in
 *            the node) at a uniform value in [min, max)
 *   score    s(x) = 2^(−E(h(x)) / c(ψ)), h(x) = edges to the leaf + c(size of the leaf)
 *   c(n)     average path length of an unsuccessful BST search: 2H(n−1) − 2(n−1)/n with
 *            H(i) ≈ ln(i) + γ; c(2) = 1 exactly, c(n ≤ 1) = 0
 *
 * One extension, for counts beyond anything seen in training: the paper's trees cannot isolate
 * a value outside the range of their subsample (every split sends it to the edge, and at the edge of
 * discrete data sit many tied points), so 14 distinct users after a history of 1–2 scores like 2.
 * Each leaf keeps the bounding box of its points; a point outside a node's box is scored with the
 * path it would have had had it been in the subsample: at each node the chance that the node's
 * random split separates it at once (per attribute, the gap it adds over the range it extends to),
 * weighted along the path. A point inside every box gets exactly the paper's h(x).
 *
 * The npm packages were evaluated first and rejected (see README, "Anomaly rules"): both build every
 * tree on the whole training set (no subsampling) and use Math.random; ml-isolation-forest also adds
 * γ once instead of twice in c(n). Trees are stored flat (pre-order) so a model is plain JSON.
 */

export const EULER_GAMMA = 0.5772156649;

export interface ForestOptions {
  trees?: number;
  sampleSize?: number;
  seed?: number;
}

/** One tree in pre-order: node i is a leaf when feature[i] = −1 (then value[i] is its size). */
export interface FlatTree {
  feature: number[];
  /** split value of an internal node; size of a leaf */
  value: number[];
  /** index of the right child of an internal node (the left child is i + 1) */
  right: number[];
  /** per node: a leaf's bounding box [lo..., hi...]; empty for an internal node */
  box?: number[][];
}

export interface Forest {
  /** ψ actually used: min(sampleSize, training points) */
  sampleSize: number;
  dimensions: number;
  trees: FlatTree[];
}

/** A tiny deterministic PRNG (mulberry32): the same seed grows the same forest. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** k indices drawn from 0..n−1 without replacement (partial Fisher–Yates). */
function drawIndices(n: number, k: number, random: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}

function growTree(points: number[][], rows: number[], limit: number, random: () => number): FlatTree {
  const tree: FlatTree = { feature: [], value: [], right: [], box: [] };
  const dims = points[0]?.length ?? 0;
  const grow = (members: number[], depth: number): void => {
    const at = tree.feature.length;
    const leaf = () => {
      tree.feature.push(-1);
      tree.value.push(members.length);
      tree.right.push(-1);
      const lo = Array.from({ length: dims }, (_, f) => Math.min(...members.map((m) => points[m][f])));
      const hi = Array.from({ length: dims }, (_, f) => Math.max(...members.map((m) => points[m][f])));
      tree.box?.push(members.length > 0 ? [...lo, ...hi] : []);
    };
    if (depth >= limit || members.length <= 1) {
      leaf();
      return;
    }
    const ranges: [number, number, number][] = [];
    for (let f = 0; f < dims; f++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const m of members) {
        const v = points[m][f];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi > lo) ranges.push([f, lo, hi]);
    }
    // every attribute constant: the points cannot be told apart, the node is external
    if (ranges.length === 0) {
      leaf();
      return;
    }
    const [f, lo, hi] = ranges[Math.floor(random() * ranges.length)];
    const split = lo + random() * (hi - lo);
    tree.feature.push(f);
    tree.value.push(split);
    tree.right.push(-1);
    tree.box?.push([]);
    grow(
      members.filter((m) => points[m][f] < split),
      depth + 1,
    );
    tree.right[at] = tree.feature.length;
    grow(
      members.filter((m) => points[m][f] >= split),
      depth + 1,
    );
  };
  grow(rows, 0);
  return tree;
}

/** Grows a forest on the training points (each a vector of the same length). */
export function fitForest(points: number[][], options: ForestOptions = {}): Forest {
  const trees = options.trees ?? 100;
  const sampleSize = Math.min(options.sampleSize ?? 256, points.length);
  const random = seededRandom(options.seed ?? 1);
  const limit = Math.ceil(Math.log2(Math.max(sampleSize, 2)));
  const out: FlatTree[] = [];
  for (let t = 0; t < trees; t++)
    out.push(growTree(points, drawIndices(points.length, sampleSize, random), limit, random));
  return { sampleSize, dimensions: points[0]?.length ?? 0, trees: out };
}

/** Bounding boxes of every node (leaves' boxes merged upwards), computed once per tree. */
const boxCache = new WeakMap<FlatTree, { lo: number[]; hi: number[] }[]>();

function nodeBoxes(tree: FlatTree, dims: number): { lo: number[]; hi: number[] }[] | undefined {
  if (!tree.box || tree.box.length !== tree.feature.length) return undefined;
  const cached = boxCache.get(tree);
  if (cached) return cached;
  const boxes: { lo: number[]; hi: number[] }[] = new Array(tree.feature.length);
  const visit = (i: number): { lo: number[]; hi: number[] } => {
    if (tree.feature[i] === -1) {
      const b = tree.box?.[i] ?? [];
      const out =
        b.length === 2 * dims
          ? { lo: b.slice(0, dims), hi: b.slice(dims) }
          : {
              lo: new Array(dims).fill(Number.POSITIVE_INFINITY),
              hi: new Array(dims).fill(Number.NEGATIVE_INFINITY),
            };
      boxes[i] = out;
      return out;
    }
    const l = visit(i + 1);
    const r = visit(tree.right[i]);
    boxes[i] = {
      lo: l.lo.map((v, f) => Math.min(v, r.lo[f])),
      hi: l.hi.map((v, f) => Math.max(v, r.hi[f])),
    };
    return boxes[i];
  };
  visit(0);
  boxCache.set(tree, boxes);
  return boxes;
}

/** The chance that a random split of a node with this box, had x been in it, separates x at once. */
function separation(box: { lo: number[]; hi: number[] }, x: readonly number[]): number {
  let eligible = 0;
  let sep = 0;
  for (let f = 0; f < x.length; f++) {
    const lo = Math.min(box.lo[f], x[f]);
    const hi = Math.max(box.hi[f], x[f]);
    if (!(hi > lo)) continue;
    eligible++;
    const gap = Math.max(0, box.lo[f] - x[f], x[f] - box.hi[f]);
    sep += gap / (hi - lo);
  }
  return eligible > 0 ? sep / eligible : 0;
}

/**
 * h(x) in one tree: the edges from the root to x's leaf plus c(size of the leaf); for a point
 * outside the nodes' boxes, the expected path had it been in the subsample (see the file header).
 */
export function pathLength(tree: FlatTree, x: readonly number[]): number {
  const boxes = nodeBoxes(tree, x.length);
  let i = 0;
  let depth = 0;
  let total = 0;
  let still = 1;
  while (tree.feature[i] !== -1) {
    const p = boxes ? separation(boxes[i], x) : 0;
    total += still * p * (depth + 1);
    still *= 1 - p;
    i = x[tree.feature[i]] < tree.value[i] ? i + 1 : tree.right[i];
    depth++;
  }
  const p = boxes && tree.value[i] > 0 ? separation(boxes[i], x) : 0;
  const c = averagePathLength(tree.value[i]);
  return total + still * (depth + p * Math.min(1, c) + (1 - p) * c);
}

/** s(x) in (0, 1]: near 1 is isolated early (anomalous), 0.5 or below is ordinary. */
export function scorePoint(forest: Forest, x: readonly number[]): number {
  if (forest.trees.length === 0 || forest.sampleSize < 2) return 0.5;
  let sum = 0;
  for (const tree of forest.trees) sum += pathLength(tree, x);
  return 2 ** (-(sum / forest.trees.length) / averagePathLength(forest.sampleSize));
}
