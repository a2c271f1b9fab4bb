import {
  averagePathLength,
  EULER_GAMMA,
  type FlatTree,
  fitForest,
  pathLength,
  scorePoint,
  seededRandom,
} from '../../../src/evaluate/isolation-forest';

/** Box–Muller: standard normal deviates from a seeded uniform source. */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** 1,000 points on a 2-D Gaussian cluster at (0, 0) with σ = 1. */
function cluster(seed: number, n = 1000): number[][] {
  const g = gaussian(seededRandom(seed));
  return Array.from({ length: n }, () => [g(), g()]);
}

describe('c(n), the average path length of an unsuccessful BST search', () => {
  test.each([
    [0, 0],
    [1, 0],
    [2, 1],
    // 2(ln 2 + γ) − 4/3
    [3, 2 * (Math.log(2) + EULER_GAMMA) - 4 / 3],
    // the ψ = 256 normaliser of the paper: 2(ln 255 + γ) − 510/256 ≈ 10.2448
    [256, 2 * (Math.log(255) + EULER_GAMMA) - 510 / 256],
  ])('c(%d) = %d', (n, expected) => {
    expect(averagePathLength(n)).toBeCloseTo(expected, 10);
  });

  test('c(256) is about 10.24, the figure behind the paper’s score scale', () => {
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });

  test('grows like 2 ln n', () => {
    expect(averagePathLength(1e6) / (2 * Math.log(1e6))).toBeGreaterThan(0.95);
  });
});

describe('path length in a hand-built tree', () => {
  // root splits feature 0 at 5; left is a leaf of 1 point; right splits feature 1 at 2 into leaves of 3 and 2
  const tree: FlatTree = {
    feature: [0, -1, 1, -1, -1],
    value: [5, 1, 2, 3, 2],
    right: [2, -1, 4, -1, -1],
  };
  test('a point isolated at depth 1 in a leaf of one has h = 1', () => {
    expect(pathLength(tree, [1, 0])).toBe(1);
  });
  test('a leaf of three adds c(3) to its depth of 2', () => {
    expect(pathLength(tree, [7, 1])).toBeCloseTo(2 + averagePathLength(3), 12);
  });
  test('a leaf of two adds c(2) = 1 to its depth of 2', () => {
    expect(pathLength(tree, [7, 9])).toBe(3);
  });
  test('the score of a one-tree forest is 2^(−h/c(ψ))', () => {
    const forest = { sampleSize: 6, dimensions: 2, trees: [tree] };
    expect(scorePoint(forest, [1, 0])).toBeCloseTo(2 ** (-1 / averagePathLength(6)), 12);
  });
});

describe('isolation forest on a Gaussian cluster with obvious outliers', () => {
  const training = cluster(7);
  const forest = fitForest(training, { seed: 42 });
  const outliers = [
    [8, 8],
    [-7, 6],
    [0, 9],
    [10, -10],
  ];

  test('uses the paper’s parameters: 100 trees on subsamples of 256, height limit 8', () => {
    expect(forest.trees).toHaveLength(100);
    expect(forest.sampleSize).toBe(256);
    for (const t of forest.trees) {
      // the leaves hold the whole subsample
      const leaves = t.feature.flatMap((f, i) => (f === -1 ? [t.value[i]] : []));
      expect(leaves.reduce((a, b) => a + b, 0)).toBe(256);
      expect(t.feature.length).toBeLessThanOrEqual(2 ** 9 - 1);
    }
  });

  test('obvious outliers score above 0.6', () => {
    for (const o of outliers) expect(scorePoint(forest, o)).toBeGreaterThan(0.6);
  });

  test('the centre of the cluster scores below 0.5, and inliers about 0.5 or lower', () => {
    expect(scorePoint(forest, [0, 0])).toBeLessThan(0.5);
    const inliers = cluster(99, 200).filter(([x, y]) => Math.hypot(x, y) < 1.5);
    const mean = inliers.reduce((s, p) => s + scorePoint(forest, p), 0) / inliers.length;
    expect(mean).toBeLessThan(0.5);
    for (const p of inliers) expect(scorePoint(forest, p)).toBeLessThan(0.6);
  });

  test('scores never rise as a point moves towards the cluster (beyond its range they saturate)', () => {
    const along = [6, 3, 1.5, 0].map((d) => scorePoint(forest, [d, d]));
    for (let i = 1; i < along.length; i++) expect(along[i]).toBeLessThanOrEqual(along[i - 1]);
    expect(along[3]).toBeLessThan(along[0] - 0.2);
  });

  test('the same seed grows the same forest and gives the same scores; another seed does not', () => {
    const again = fitForest(training, { seed: 42 });
    expect(again).toEqual(forest);
    expect(scorePoint(again, [3, 3])).toBe(scorePoint(forest, [3, 3]));
    expect(fitForest(training, { seed: 43 })).not.toEqual(forest);
  });

  test('a forest survives JSON (it is stored in the state index) with the same scores', () => {
    const copy = JSON.parse(JSON.stringify(forest));
    expect(scorePoint(copy, [5, -5])).toBe(scorePoint(forest, [5, -5]));
  });
});

describe('values beyond the training range on discrete data (the leaf-box extension)', () => {
  // 2,000 hours of 0–2 failures and 1–2 users: the edge of the data is a large clump of ties
  const random = seededRandom(5);
  const hours = Array.from({ length: 2000 }, () => [Math.floor(random() * 3), 1 + Math.floor(random() * 2)]);
  const forest = fitForest(hours, { seed: 9 });
  const paper = { ...forest, trees: forest.trees.map(({ box: _box, ...t }) => t) };

  test('without the boxes (the paper’s h) 14 users scores no higher than 2: it lands in the edge clump', () => {
    expect(scorePoint(paper, [2, 14])).toBeCloseTo(scorePoint(paper, [2, 2]), 12);
    expect(scorePoint(paper, [2, 14])).toBeLessThan(0.6);
  });

  test('with them, 14 users is isolated early and scores above 0.7, 3 users less so, 2 users unchanged', () => {
    expect(scorePoint(forest, [2, 14])).toBeGreaterThan(0.7);
    expect(scorePoint(forest, [2, 3])).toBeLessThan(scorePoint(forest, [2, 14]));
    expect(scorePoint(forest, [2, 3])).toBeGreaterThan(scorePoint(forest, [2, 2]));
    // a point inside every box gets exactly the paper's h(x)
    expect(scorePoint(forest, [1, 2])).toBeCloseTo(scorePoint(paper, [1, 2]), 12);
  });
});

describe('degenerate training sets', () => {
  test('identical points make one leaf per tree: the same point scores 0.5, another is isolated at once', () => {
    const forest = fitForest(
      Array.from({ length: 50 }, () => [1, 1]),
      { seed: 1, trees: 10 },
    );
    for (const t of forest.trees) expect(t.feature).toEqual([-1]);
    // h = c(50) in every tree, so s = 2^(−1) = 0.5
    expect(scorePoint(forest, [1, 1])).toBeCloseTo(0.5, 12);
    // outside the leaf's box: one split would have separated it, h = 1
    expect(scorePoint(forest, [100, 1])).toBeCloseTo(2 ** (-1 / averagePathLength(50)), 12);
  });

  test('fewer points than 256 use them all as the subsample', () => {
    const forest = fitForest(cluster(3, 40), { seed: 5 });
    expect(forest.sampleSize).toBe(40);
    expect(scorePoint(forest, [9, 9])).toBeGreaterThan(0.6);
  });
});
