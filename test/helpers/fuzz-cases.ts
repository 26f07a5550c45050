// The cases of a fuzz run: a seed per case derived from the run's seed and the case's index, so
// any case can be replayed alone from the seed a failure prints, and the loop the worker-based
// fuzzes share (fuzz-runner.ts reads the case index it stores, to name a case that hangs).

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of case `i`: a hash of the base seed and the index, so cases are independent. */
export function caseSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

export interface FuzzCaseJob<Input> {
  seed: number;
  cases: number;
  budgetMs: number;
  inputs: Input[];
  /** Int32Array over a SharedArrayBuffer: [0] = case being run, for the hang report. */
  progress: SharedArrayBuffer;
}

/**
 * Up to `job.cases` cases, until `job.budgetMs` has passed: each one's index (stored in
 * `job.progress` before it runs), seed, PRNG seeded with it, and the input it drew first.
 */
export function* fuzzCases<Input>(job: FuzzCaseJob<Input>): Generator<{ index: number; seed: number; rand: () => number; input: Input }> {
  const progress = new Int32Array(job.progress);
  const start = performance.now();
  for (let index = 0; index < job.cases && performance.now() - start < job.budgetMs; index++) {
    Atomics.store(progress, 0, index);
    const seed = caseSeed(job.seed, index);
    const rand = prng(seed);
    yield { index, seed, rand, input: job.inputs[Math.floor(rand() * job.inputs.length)] };
  }
}
