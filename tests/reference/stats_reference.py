#!/usr/bin/python3
"""Independent reference for Mizani's statistics: numpy and scipy (Debian's python3-numpy and
python3-scipy) compute the same quantities on the same committed inputs, written to
tests/golden/stats.json. Run with Debian's python3:  /usr/bin/python3 tests/reference/stats_reference.py
The C test (tests/test_stats.c) reads the inputs and the expected values from that file."""
import itertools
import json
import os
import sys

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261126)


def perm_case(name, s, n_first, resamples=None):
    s = np.asarray(s, dtype=float)
    x, y = s[:n_first], s[n_first:]
    kw = dict(permutation_type="independent", alternative="greater", vectorized=True)
    def stat(a, b, axis):
        return a.sum(axis=axis) - b.sum(axis=axis)
    if resamples is None:
        r = stats.permutation_test((x, y), stat, n_resamples=np.inf, **kw)
        return dict(name=name, s=s.tolist(), n_first=n_first, exact=True, p_value=float(r.pvalue))
    r = stats.permutation_test((x, y), stat, n_resamples=resamples, random_state=1, **kw)
    p = float(r.pvalue)
    return dict(name=name, s=s.tolist(), n_first=n_first, exact=False, p_value=p,
                resamples=resamples, mc_se=float(np.sqrt(p * (1 - p) / resamples)))


def weat_reference(X, Y, A, B):
    """WEAT written from the paper's definitions, with an exhaustive exact test."""
    def cos(u, v):
        return u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    def s_word(w):
        return np.mean([cos(w, a) for a in A]) - np.mean([cos(w, b) for b in B])
    sx = np.array([s_word(w) for w in X])
    sy = np.array([s_word(w) for w in Y])
    allv = np.concatenate([sx, sy])
    d = (sx.mean() - sy.mean()) / allv.std(ddof=1)
    observed = sx.sum() - sy.sum()
    total = allv.sum()
    gamma = max(1e-14, abs(1e-14 * observed))
    hits = count = 0
    for idx in itertools.combinations(range(len(allv)), len(sx)):
        stat = 2 * allv[list(idx)].sum() - total
        hits += stat >= observed - gamma
        count += 1
    return dict(effect_size=float(d), mean_diff=float(sx.mean() - sy.mean()),
                statistic=float(observed), p_value=hits / count, splits=count,
                scores=allv.tolist())


def weat_case(name, sizes, dim):
    sets = [rng.normal(size=(n, dim)) for n in sizes]
    # a planted association so the test has something to find
    sets[0][:, 0] += 1.0
    sets[2][:, 0] += 1.0
    out = dict(name=name, dim=dim, sets=[s.astype(np.float32).tolist() for s in sets])
    f32 = [np.asarray(s, dtype=np.float32).astype(float) for s in out["sets"]]
    out.update(weat_reference(*f32))
    return out


def holm(p):
    p = np.asarray(p); n = len(p); order = np.argsort(p, kind="stable")
    adj = np.empty(n); running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (n - rank) * p[i])); adj[i] = running
    return adj.tolist()


def bh(p):
    p = np.asarray(p); n = len(p); order = np.argsort(p, kind="stable")
    adj = np.empty(n); running = 1.0
    for rank in range(n - 1, -1, -1):
        i = order[rank]
        running = min(running, n * p[i] / (rank + 1)); adj[i] = running
    return adj.tolist()


def meta_dl(e, v):
    e = np.asarray(e); v = np.asarray(v); w = 1 / v
    fixed = (w * e).sum() / w.sum()
    q = (w * (e - fixed) ** 2).sum(); df = len(e) - 1
    c = w.sum() - (w ** 2).sum() / w.sum()
    tau2 = max(0.0, (q - df) / c)
    ws = 1 / (v + tau2)
    eff = (ws * e).sum() / ws.sum(); se = np.sqrt(1 / ws.sum())
    z = stats.norm.ppf(0.975)
    return dict(effects=e.tolist(), variances=v.tolist(), effect=eff, se=se,
                ci_lo=eff - z * se, ci_hi=eff + z * se, p_value=2 * stats.norm.sf(abs(eff / se)),
                q=q, q_p_value=stats.chi2.sf(q, df), i2=max(0.0, (q - df) / q), tau2=tau2)


def unit(m):
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def metrics_case(name, n_s, n_a, n_b, dim):
    """RND, MAC, ECT, RIPA and RNSB from their papers' definitions, with numpy and scipy."""
    S = rng.normal(size=(n_s, dim)); A = rng.normal(size=(n_a, dim)); B = rng.normal(size=(n_b, dim))
    S[: n_s // 2, 0] += 1.5; A[:, 0] += 1.5  # half of S leans towards A
    S, A, B = (np.asarray(m, dtype=np.float32).astype(float) for m in (S, A, B))
    cos = lambda u, v: u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    # RND (Garg et al.): unit vectors, group means of the unit vectors
    ma, mb = unit(A).mean(0), unit(B).mean(0)
    rnd_w = np.linalg.norm(unit(S) - ma, axis=1) - np.linalg.norm(unit(S) - mb, axis=1)
    # permutation p-value of |RND| over relabellings of A and B
    G = np.vstack([unit(A), unit(B)]); r = np.random.default_rng(5); hits = 0; n_perm = 20000
    for _ in range(n_perm):
        o = r.permutation(len(G)); pa, pb = G[o[:n_a]].mean(0), G[o[n_a:]].mean(0)
        v = (np.linalg.norm(unit(S) - pa, axis=1) - np.linalg.norm(unit(S) - pb, axis=1)).sum()
        hits += abs(v) >= abs(rnd_w.sum())
    rnd_p = (hits + 1) / (n_perm + 1)
    # RND as sweater and WEFE compute it: the vectors as given, group means of them
    raw_w = np.linalg.norm(S - A.mean(0), axis=1) - np.linalg.norm(S - B.mean(0), axis=1)
    G = np.vstack([A, B]); r = np.random.default_rng(6); hits = 0
    for _ in range(n_perm):
        o = r.permutation(len(G)); pa, pb = G[o[:n_a]].mean(0), G[o[n_a:]].mean(0)
        v = (np.linalg.norm(S - pa, axis=1) - np.linalg.norm(S - pb, axis=1)).sum()
        hits += abs(v) >= abs(raw_w.sum())
    raw_p = (hits + 1) / (n_perm + 1)
    # MAC (Manzini et al.), and the mean cosine similarity sweater and WEFE report as MAC
    mac_w = np.array([(np.mean([1 - cos(x, a) for a in A]) + np.mean([1 - cos(x, b) for b in B])) / 2 for x in S])
    sim_w = np.array([(np.mean([cos(x, a) for a in A]) + np.mean([cos(x, b) for b in B])) / 2 for x in S])
    # ECT (Dev and Phillips)
    ua = np.array([cos(x, A.mean(0)) for x in S]); ub = np.array([cos(x, B.mean(0)) for x in S])
    ect = stats.spearmanr(ua, ub).correlation
    # RIPA (Ethayarajh et al.): first right singular vector of the pair differences
    D = A[: min(n_a, n_b)] - B[: min(n_a, n_b)]
    beta = np.linalg.svd(D, full_matrices=False)[2][0]
    if (D @ beta).sum() < 0: beta = -beta
    ripa_w = S @ beta
    # RNSB (Sweeney and Najafian): L2 logistic regression, C = 1, regularised bias feature
    X = np.hstack([np.vstack([A, B]), np.ones((n_a + n_b, 1))]); y = np.r_[-np.ones(n_a), np.ones(n_b)]
    from scipy.optimize import minimize
    f = lambda w: 0.5 * w @ w + np.logaddexp(0, -y * (X @ w)).sum()
    g = lambda w: w - X.T @ (y * (1 - 1 / (1 + np.exp(-y * (X @ w)))))
    w = minimize(f, np.zeros(X.shape[1]), jac=g, method="BFGS", options={"gtol": 1e-12, "maxiter": 10000}).x
    prob = 1 / (1 + np.exp(-(np.hstack([S, np.ones((n_s, 1))]) @ w)))
    P = prob / prob.sum(); kl = float((P * np.log(P * n_s)).sum())
    return dict(name=name, dim=dim, sets=[m.astype(np.float32).tolist() for m in (S, A, B)],
                rnd=float(rnd_w.sum()), rnd_per_word=rnd_w.tolist(), rnd_p=rnd_p, rnd_p_resamples=n_perm,
                rnd_as_given=float(raw_w.sum()), rnd_as_given_per_word=raw_w.tolist(), rnd_as_given_p=raw_p,
                mac=float(mac_w.mean()), mac_similarity=float(sim_w.mean()),
                mac_similarity_per_word=sim_w.tolist(), ect=float(ect), ect_per_word=(ua - ub).tolist(),
                ripa=float(ripa_w.mean()), ripa_per_word=ripa_w.tolist(), rnsb=kl, rnsb_per_word=P.tolist())


def change_case(name, nx, ny, shift):
    """The change of d between two sets of per-word scores, with a permutation p-value that
    swaps each word's before and after scores (numpy Monte Carlo)."""
    before = rng.normal(size=nx + ny)
    after = before + rng.normal(scale=0.3, size=nx + ny)
    after[:nx] += shift
    d = lambda s: (s[:nx].mean() - s[nx:].mean()) / s.std(ddof=1)
    delta = d(after) - d(before)
    r, hits, n_perm = np.random.default_rng(9), 0, 20000
    for _ in range(n_perm):
        swap = r.random(nx + ny) < 0.5
        b, a = np.where(swap, after, before), np.where(swap, before, after)
        hits += abs(d(a) - d(b)) >= abs(delta) - 1e-14
    return dict(name=name, nx=nx, ny=ny, before=before.tolist(), after=after.tolist(),
                d_before=d(before), d_after=d(after), delta=delta, p=(hits + 1) / (n_perm + 1), resamples=n_perm)


def main():
    out = {}
    out["permutation"] = [
        perm_case("16 values, 8 first", rng.normal(size=16).round(6) + np.r_[np.full(8, 0.4), np.zeros(8)], 8),
        perm_case("12 values, 5 first", rng.normal(size=12).round(6), 5),
        perm_case("ties", [1, 2, 2, 3, 1, 2, 2, 3, 2, 2], 4),
        perm_case("no effect", rng.normal(size=14).round(6), 7),
        perm_case("40 values, Monte Carlo", rng.normal(size=40).round(6) + np.r_[np.full(20, 0.3), np.zeros(20)], 20,
                  resamples=200000),
    ]
    out["weat"] = [weat_case("8x8x8x8, 50 dims", (8, 8, 8, 8), 50),
                   weat_case("6x5x7x4, 20 dims", (6, 5, 7, 4), 20)]
    binom = []
    for k, n in [(0, 10), (3, 10), (5, 10), (10, 10), (17, 40), (120, 150), (1, 1), (73, 151)]:
        r = stats.binomtest(k, n, 0.5)
        ex = r.proportion_ci(0.95, method="exact"); wi = r.proportion_ci(0.9, method="wilson")
        binom.append(dict(k=k, n=n, p_value=r.pvalue, exact_lo=ex.low, exact_hi=ex.high,
                          wilson90_lo=wi.low, wilson90_hi=wi.high))
    out["binomial"] = binom
    p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.2, 0.0001, 1.0, 0.049]
    out["adjust"] = dict(p=p, holm=holm(p), bh=bh(p))
    out["meta"] = [meta_dl([0.8, 0.3, 1.1, 0.5, -0.1, 0.9], [0.04, 0.09, 0.05, 0.02, 0.1, 0.06]),
                   meta_dl([0.5, 0.52, 0.48], [0.1, 0.1, 0.1])]
    out["metrics"] = [metrics_case("12 words, 8+8 groups, 30 dims", 12, 8, 8, 30),
                      metrics_case("9 words, 5+7 groups, 40 dims", 9, 5, 7, 40)]
    out["change"] = [change_case("8+8 words, a shift", 8, 8, 1.0), change_case("6+9 words, no shift", 6, 9, 0.0)]
    draws = rng.normal(size=1001)
    out["percentile"] = dict(draws=draws.tolist(), level=0.95,
                             lo=float(np.percentile(draws, 2.5)), hi=float(np.percentile(draws, 97.5)))
    path = os.path.join(os.path.dirname(__file__), "..", "golden", "stats.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, default=float)
        f.write("\n")
    print("wrote", os.path.normpath(path), file=sys.stderr)


if __name__ == "__main__":
    main()
