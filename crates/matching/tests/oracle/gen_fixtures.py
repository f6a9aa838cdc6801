"""Generate tests/oracle/hr_fixtures.json: random hospital-residents instances and their stable
matchings according to the independent Python package `matching` (daffidwilde) 1.4.3.

Run from the repository root:
    python3 -m venv .oracle-venv && .oracle-venv/bin/pip install matching==1.4.3
    .oracle-venv/bin/python crates/matching/tests/oracle/gen_fixtures.py

Instances keep everything the Rust engine must handle: incomplete and empty lists, unequal and
zero capacities, companies that do not list youth who listed them, and companies that list youth
who never listed them. `matching` needs each hospital to rank exactly the residents that rank it
and rejects empty lists and zero capacities, so it is given the reduced game: only mutually
acceptable pairs, without zero-capacity companies and empty lists. Removing pairs that cannot be
matched does not change the set of stable matchings, so the answers must agree exactly.
"""
import json
import platform
import random
import sys
import threading
import warnings
from importlib.metadata import version
from pathlib import Path

sys.setrecursionlimit(1_000_000)
threading.stack_size(512 * 1024 * 1024)
warnings.filterwarnings("ignore")
from matching.games import HospitalResident  # noqa: E402

OUT = Path(__file__).with_name("hr_fixtures.json")
INSTANCES = 240


def random_instance(rng):
    if rng.random() < 0.25:
        return balanced_instance(rng)
    youth_count = rng.randint(1, 60)
    company_count = rng.randint(1, 15)
    # Short lists are typical; full lists give more competition.
    longest = company_count if rng.random() < 0.3 else rng.randint(1, 8)
    youth_prefs = []
    for _ in range(youth_count):
        length = 0 if rng.random() < 0.05 else rng.randint(1, min(longest, company_count))
        youth_prefs.append(rng.sample(range(company_count), length))
    drop = rng.choice([0.0, 0.1, 0.3, 0.5])  # share of applicants a company does not welcome
    extra = rng.choice([0.0, 0.05, 0.2])  # chance a company lists a youth who did not list it
    applicants = [[] for _ in range(company_count)]
    for y, prefs in enumerate(youth_prefs):
        for c in prefs:
            applicants[c].append(y)
    company_prefs = []
    for c in range(company_count):
        welcome = [y for y in applicants[c] if rng.random() >= drop]
        welcome += [y for y in range(youth_count) if y not in applicants[c] and rng.random() < extra]
        company_prefs.append(rng.sample(welcome, len(welcome)))
    capacities = [0 if rng.random() < 0.1 else rng.randint(1, 5) for _ in range(company_count)]
    return youth_prefs, company_prefs, capacities


def balanced_instance(rng):
    """As many places as youth and (nearly) full lists: here the youth-optimal and the
    company-optimal stable matchings often differ, which tests the company-proposing variant."""
    company_count = rng.randint(2, 6)
    capacities = [rng.randint(1, 3) for _ in range(company_count)]
    youth_count = sum(capacities)
    youth_prefs = [rng.sample(range(company_count), company_count) for _ in range(youth_count)]
    company_prefs = [rng.sample(range(youth_count), youth_count) for _ in range(company_count)]
    return youth_prefs, company_prefs, capacities


def oracle(youth_prefs, company_prefs, capacities, optimal):
    """Stable matching by `matching` on the reduced game; a company index or None per youth."""
    listed = [set(p) for p in company_prefs]
    open_company = [cap > 0 for cap in capacities]
    reduced_youth = {
        y: [c for c in prefs if open_company[c] and y in listed[c]] for y, prefs in enumerate(youth_prefs)
    }
    reduced_youth = {y: p for y, p in reduced_youth.items() if p}
    ranked_by = [set() for _ in company_prefs]
    for y, prefs in reduced_youth.items():
        for c in prefs:
            ranked_by[c].add(y)
    reduced_company = {c: [y for y in prefs if y in ranked_by[c]] for c, prefs in enumerate(company_prefs)}
    reduced_company = {c: p for c, p in reduced_company.items() if p}
    result = [None] * len(youth_prefs)
    if not reduced_youth:
        return result
    game = HospitalResident.create_from_dictionaries(
        reduced_youth, reduced_company, {c: capacities[c] for c in reduced_company}
    )
    matching = game.solve(optimal=optimal)
    assert game.check_validity() and game.check_stability()
    for company, residents in matching.items():
        for resident in residents:
            result[resident.name] = company.name
    return result


def main():
    instances = []
    for seed in range(INSTANCES):
        rng = random.Random(seed)
        youth_prefs, company_prefs, capacities = random_instance(rng)
        instances.append(
            {
                "seed": seed,
                "youth_prefs": youth_prefs,
                "company_prefs": company_prefs,
                "capacities": capacities,
                "youth_optimal": oracle(youth_prefs, company_prefs, capacities, "resident"),
                "company_optimal": oracle(youth_prefs, company_prefs, capacities, "hospital"),
            }
        )
    header = {
        "generator": "crates/matching/tests/oracle/gen_fixtures.py",
        "python": platform.python_version(),
        "matching": version("matching"),
        "instances": len(instances),
    }
    # One instance per line keeps diffs readable.
    lines = ",\n".join(json.dumps(instance, separators=(",", ":")) for instance in instances)
    OUT.write_text(f'{{"meta":{json.dumps(header)},\n"instances":[\n{lines}\n]}}\n')
    print(f"wrote {len(instances)} instances to {OUT}")


thread = threading.Thread(target=main)
thread.start()
thread.join()
