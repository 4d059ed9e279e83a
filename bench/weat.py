#!/usr/bin/python3
"""WEAT speed, Mizani against numpy, measured in one run on the same embeddings.

    /usr/bin/python3 bench/weat.py [BUILD_DIR]

8 words in each of X, Y, A, B with 768-dimensional embeddings, 100,000 Monte Carlo
permutations, no bootstrap, best of 5 runs each. The numpy version is the vectorised form
of the same computation (cosines, association scores, random splits by argsort of random
keys, the scipy tie tolerance). Prints both times, both p-values and the ratio."""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N, DIM, PERMS, REPEATS = 8, 768, 100_000, 5


def weat_numpy(X, Y, A, B, perms, rng):
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)
    T = unit(np.vstack([X, Y]))
    s = (T @ unit(A).T).mean(1) - (T @ unit(B).T).mean(1)
    total, observed = s.sum(), s[:N].sum() - s[N:].sum()
    gamma = max(1e-14, abs(1e-14 * observed))
    hits, done = 0, 0
    while done < perms:  # chunks keep the key matrix small
        k = min(20_000, perms - done)
        first = np.argpartition(rng.random((k, 2 * N)), N, axis=1)[:, :N]
        hits += int((2 * s[first].sum(1) - total >= observed - gamma).sum())
        done += k
    return (hits + 1) / (perms + 1)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rng = np.random.default_rng(1)
    sets = [rng.normal(size=(N, DIM)).astype(np.float32) for _ in range(4)]
    sets[0][:, :8] += 0.3
    sets[2][:, :8] += 0.3
    with tempfile.NamedTemporaryFile(suffix=".f32", delete=False) as f:
        f.write(np.concatenate(sets).tobytes())
        path = f.name
    best, p_np = 1e30, None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        p_np = weat_numpy(*[s.astype(np.float64) for s in sets], PERMS, np.random.default_rng(2))
        best = min(best, time.perf_counter() - t0)
    print(f"WEAT, {N}x{N}x{N}x{N} words, {DIM} dims, {PERMS} permutations (best of {REPEATS})")
    print(f"  numpy {np.__version__} (its permutation code runs on one thread): "
          f"{best * 1e3:8.1f} ms   p = {p_np:.5f}")
    for threads in ("1", str(os.cpu_count())):
        env = dict(os.environ, OMP_NUM_THREADS=threads)
        out = subprocess.run([os.path.join(build, "bench", "weat_bench"), path, str(N), str(DIM),
                              str(PERMS), str(REPEATS)], check=True, capture_output=True,
                             text=True, env=env)
        t_mz, p_mz = (float(x) for x in out.stdout.split()[:2])
        print(f"  Mizani, {threads} thread(s): {t_mz * 1e3:8.1f} ms   p = {p_mz:.5f}   "
              f"ratio (numpy time / Mizani time) {best / t_mz:.1f}x")
    os.unlink(path)


if __name__ == "__main__":
    main()
