/**
 * How work grows with input size, measured so a loaded machine cannot fail it: the same
 * function at two sizes in the same process, best of a few runs each, compared as a ratio.
 * A wall-clock bound (`ms < 1000`) fails whenever CI shares its cores; a ratio fails only
 * when the algorithm changes class (linear work at 8× the size is ~8×, quadratic ~64×).
 */
export function growth(run: (size: number) => unknown, small: number, large: number, tries = 3): { ratio: number; smallMs: number; largeMs: number } {
  const best = (size: number) => {
    let min = Infinity;
    for (let i = 0; i < tries; i++) {
      const t0 = performance.now();
      run(size);
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };
  run(small); // warm the JIT so the small size is not charged for compilation
  const smallMs = best(small);
  const largeMs = best(large);
  return { ratio: largeMs / Math.max(smallMs, 0.01), smallMs, largeMs };
}
