"""Independent randomisation-inference oracle for spire-stats: a plain numpy permutation loop.

For each draw the assignment is re-drawn (within strata, or completely), the regression
y ~ z [+ x] + strata dummies is refitted by QR, and the HC2 t statistic of z recomputed
(leverage from the full design with dummies, no demeaning shortcut). Romano–Wolf step-down
p-values use the same draws for all outcomes. Run:  ../../../../.oracle-venv/bin/python ri_oracle.py
Writes expected_ri.csv (p-values; their Monte-Carlo error is what the Rust test allows).
"""
import numpy as np, pandas as pd, sys

DRAWS = 20_000
rng = np.random.default_rng(20261129)


def hc2_t(y, X):
    Q, R = np.linalg.qr(X)
    b = np.linalg.solve(R, Q.T @ y)
    e = y - X @ b
    h = (Q * Q).sum(1)
    Ri = np.linalg.inv(R)
    V = Ri @ ((Q.T * (e**2 / (1 - h))) @ Q) @ Ri.T
    return b[0] / np.sqrt(V[0, 0])


def design(z, covariates, strata):
    levels = np.unique(strata)
    dummies = [(strata == s).astype(float) for s in levels]  # full set, no intercept
    return np.column_stack([z] + covariates + dummies)


def permute(z, blocks):
    out = z.copy()
    for b in np.unique(blocks):
        idx = np.flatnonzero(blocks == b)
        out[idx] = rng.permutation(z[idx])
    return out


def ri(frame, outcomes, covariates, within_strata):
    used = frame.dropna(subset=outcomes + covariates + ["z", "s"])
    z, s = used.z.to_numpy(float), used.s.to_numpy()
    xs = [used[c].to_numpy(float) for c in covariates]
    ys = [used[o].to_numpy(float) for o in outcomes]
    blocks = s if within_strata else np.zeros(len(z))
    observed = np.array([hc2_t(y, design(z, xs, s)) for y in ys])
    draws = np.empty((DRAWS, len(ys)))
    for d in range(DRAWS):
        X = design(permute(z, blocks), xs, s)
        draws[d] = [hc2_t(y, X) for y in ys]
    extreme = np.abs(draws) >= np.abs(observed) * (1 - 1e-10)
    p = (extreme.sum(0) + 1) / (DRAWS + 1)
    # Romano–Wolf step-down on the same draws.
    order = np.argsort(-np.abs(observed))
    rw = np.empty(len(ys)); running = 0.0
    for step, k in enumerate(order):
        max_rest = np.abs(draws[:, order[step:]]).max(1)
        running = max(running, ((max_rest >= abs(observed[k]) * (1 - 1e-10)).sum() + 1) / (DRAWS + 1))
        rw[k] = running
    return observed, p, rw, len(used)


rows = []
cases = [
    ("unbalanced", ["y"], [], True),           # within strata, no covariates
    ("small_trial", ["y"], ["x1"], False),     # complete randomisation, covariate, strata absorbed
    ("small_strata", ["y"], [], True),         # 30 strata of 4
    ("unbalanced", ["y", "x1", "x2"], [], True),  # three outcomes: Romano–Wolf
]
for name, outcomes, covariates, within in cases:
    frame = pd.read_csv(f"data/{name}.csv")
    observed, p, rw, n = ri(frame, outcomes, covariates, within)
    for k, o in enumerate(outcomes):
        rows.append(dict(dataset=name, outcomes="+".join(outcomes), outcome=o, covariates="+".join(covariates),
                         design="within_strata" if within else "complete", draws=DRAWS, n=n,
                         t_observed=repr(float(observed[k])), p_value=repr(float(p[k])), romano_wolf=repr(float(rw[k]))))
    print(name, outcomes, p, rw, file=sys.stderr)
pd.DataFrame(rows).to_csv("expected_ri.csv", index=False)
with open("expected_ri_versions.txt", "w") as f:
    f.write(f"python {sys.version.split()[0]}; numpy {np.__version__}; pandas {pd.__version__}; seed 20261129\n")
