"""The Python peer for the matching benchmarks: the minimal heap-based youth-proposing deferred
acceptance of the oracle's `da_crosscheck.py`, run on the very files `spire match` reads.

    peer.py algorithm FILE [--runs N]     median time of the DA function alone (ranks built inside,
                                          as in da_crosscheck.py); ids are mapped to indices first,
                                          untimed
    peer.py process FILE OUT              the whole job as one process: read JSON, map ids, DA, write
                                          {"matches", "unmatched_youth"} JSON
    peer.py compare FILE --spire BIN [--runs N]
                                          whole-process wall time of `spire match` and of
                                          `peer.py process`, alternating, medians and ratio;
                                          then checks both print the same matching

Standard library only. See benches/peer.sh for the full side-by-side run.
"""
import heapq
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque


def da(res_prefs, hos_prefs, cap):
    """Copied from the oracle's da_crosscheck.py. res_prefs: list[list[h]], hos_prefs:
    list[list[r]], cap: list[int] -> list[h or None]"""
    H = len(hos_prefs)
    rank = [{r: i for i, r in enumerate(p)} for p in hos_prefs]
    nxt = [0] * len(res_prefs)
    held = [[] for _ in range(H)]  # max-heap via (-rank, r)
    match = [None] * len(res_prefs)
    free = deque(range(len(res_prefs)))
    while free:
        r = free.popleft()
        while nxt[r] < len(res_prefs[r]):
            h = res_prefs[r][nxt[r]]
            nxt[r] += 1
            rk = rank[h].get(r)
            if rk is None:
                continue  # unacceptable to h
            if len(held[h]) < cap[h]:
                heapq.heappush(held[h], (-rk, r))
                match[r] = h
                break
            worst_neg, w = held[h][0]
            if rk < -worst_neg:
                heapq.heapreplace(held[h], (-rk, r))
                match[r] = h
                match[w] = None
                free.append(w)
                break
    return match


def load(path):
    """The `spire match` input as index lists, plus the ids to print results with."""
    with open(path) as f:
        data = json.load(f)
    youth_ids = [y["id"] for y in data["youth"]]
    company_ids = [c["id"] for c in data["companies"]]
    youth_index = {y: i for i, y in enumerate(youth_ids)}
    company_index = {c: i for i, c in enumerate(company_ids)}
    youth_prefs = [[company_index[c] for c in y["prefs"]] for y in data["youth"]]
    company_prefs = [[youth_index[y] for y in c["prefs"]] for c in data["companies"]]
    capacities = [c["capacity"] for c in data["companies"]]
    return youth_ids, company_ids, youth_prefs, company_prefs, capacities


def algorithm(path, runs):
    _, _, youth_prefs, company_prefs, capacities = load(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        match = da(youth_prefs, company_prefs, capacities)
        times.append(time.perf_counter() - start)
    matched = sum(m is not None for m in match)
    print(f"python heap DA {path}: median {statistics.median(times) * 1e3:.1f} ms over {runs} runs, matched {matched}")


def process(path, out):
    youth_ids, company_ids, youth_prefs, company_prefs, capacities = load(path)
    match = da(youth_prefs, company_prefs, capacities)
    result = {
        "matches": [{"youth": youth_ids[y], "company": company_ids[c]} for y, c in enumerate(match) if c is not None],
        "unmatched_youth": [youth_ids[y] for y, c in enumerate(match) if c is None],
    }
    with open(out, "w") as f:
        json.dump(result, f)


def wall_time(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def compare(path, spire, runs):
    spire_command = [spire, "match", "--input", path, "--output", "/dev/null"]
    python_command = [sys.executable, __file__, "process", path, "/dev/null"]
    spire_times, python_times = [], []
    for _ in range(runs):  # alternate, so both see the same machine load
        spire_times.append(wall_time(spire_command))
        python_times.append(wall_time(python_command))
    spire_median, python_median = statistics.median(spire_times), statistics.median(python_times)
    print(f"whole process on {path}, median of {runs} alternating runs:")
    print(f"  spire match          {spire_median:.3f} s   (runs: {', '.join(f'{t:.2f}' for t in spire_times)})")
    print(f"  python peer process  {python_median:.3f} s   (runs: {', '.join(f'{t:.2f}' for t in python_times)})")
    print(f"  spire is {python_median / spire_median:.1f}x faster")
    # The youth-optimal stable matching is unique, so both must print the same pairs.
    with tempfile.TemporaryDirectory() as scratch:
        spire_out, python_out = f"{scratch}/spire.json", f"{scratch}/python.json"
        subprocess.run([spire, "match", "--input", path, "--output", spire_out], check=True)
        process(path, python_out)
        with open(spire_out) as a, open(python_out) as b:
            ours, theirs = json.load(a), json.load(b)
    same = ours["matches"] == theirs["matches"] and ours["unmatched_youth"] == theirs["unmatched_youth"]
    print(f"  identical matchings: {same}")
    if not same:
        sys.exit("spire and the Python peer disagree")


def main(argv):
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    mode = argv[1]
    if mode == "algorithm":
        algorithm(argv[2], runs)
    elif mode == "process":
        process(argv[2], argv[3])
    elif mode == "compare":
        compare(argv[2], argv[argv.index("--spire") + 1], runs)
    else:
        sys.exit(f"unknown mode {mode!r}; see the docstring")


if __name__ == "__main__":
    main(sys.argv)
