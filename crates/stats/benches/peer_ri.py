"""Peer timing: numpy randomisation-inference loops, 10,000 draws, N = 50,000 (the loops of
shared/oracle/bench_ri.py, plus a within-strata loop). Statistic: difference in means (cheaper than
the studentised HC2 statistic spire-stats computes), so the comparison flatters numpy."""
import time, numpy as np
rng = np.random.default_rng(3)
n, P, S = 50_000, 10_000, 100
strata = rng.integers(0, S, n)
z = np.zeros(n, bool)
for s in range(S):
    idx = np.flatnonzero(strata == s); z[rng.choice(idx, len(idx) // 2, replace=False)] = True
y = rng.normal(size=n) + 0.01 * z
n1 = z.sum(); n0 = n - n1; total = y.sum()
observed = y[z].mean() - y[~z].mean()
def dim_from_treated_sum(s1): return s1 / n1 - (total - s1) / n0

t0 = time.perf_counter(); count = 0
for _ in range(P):
    zp = rng.permutation(z)
    count += abs(dim_from_treated_sum(y[zp].sum())) >= abs(observed) - 1e-12
print(f"numpy loop, complete, rng.permutation: {time.perf_counter() - t0:.2f} s  p={(count + 1) / (P + 1):.4f}")

t0 = time.perf_counter(); count = 0
for _ in range(P):
    idx = np.argpartition(rng.random(n), n1)[:n1]
    count += abs(dim_from_treated_sum(y[idx].sum())) >= abs(observed) - 1e-12
print(f"numpy loop, complete, argpartition: {time.perf_counter() - t0:.2f} s  p={(count + 1) / (P + 1):.4f}")

t0 = time.perf_counter(); count = 0; B = 100
for _ in range(P // B):
    perm = rng.permuted(np.broadcast_to(np.arange(n), (B, n)), axis=1)[:, :n1]
    count += (np.abs(dim_from_treated_sum(y[perm].sum(1))) >= abs(observed) - 1e-12).sum()
print(f"numpy batched, complete, permuted: {time.perf_counter() - t0:.2f} s  p={(count + 1) / (P + 1):.4f}")

# Within strata: sort random keys inside strata, treat each stratum's first n1_s units.
order0 = np.argsort(strata, kind="stable"); starts = np.searchsorted(strata[order0], np.arange(S))
n1_s = np.bincount(strata, weights=z, minlength=S).astype(int)
rank_in_stratum = np.arange(n) - np.repeat(starts, np.bincount(strata, minlength=S))
# (1,000 draws timed and scaled to 10,000: this loop takes minutes.)
t0 = time.perf_counter(); count = 0; P_within = P // 10
for _ in range(P_within):
    perm = np.lexsort((rng.random(n), strata))
    treated = perm[rank_in_stratum < n1_s[strata[perm]]]
    count += abs(dim_from_treated_sum(y[treated].sum())) >= abs(observed) - 1e-12
elapsed = (time.perf_counter() - t0) * P / P_within
print(f"numpy loop, within strata, lexsort: {elapsed:.2f} s (1,000 draws x 10)  p={(count + 1) / (P_within + 1):.4f}")
