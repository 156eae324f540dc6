#!/usr/bin/env python3
"""Record verdicts in ledger.tsv from judgements written down once (verdicts.tsv).

    bench/precision/judge.py            # apply verdicts.tsv to ledger.tsv; print what is still '?'

verdicts.tsv: repo (owner/name), rule-prefix, path-glob, evidence-substring, verdict (tp|fp), reason. The first
matching line wins. Every line was decided by reading the finding in its repository; a judgement is never
derived from shipgate's own output. A line judges one finding or one narrow class inside ONE repository:
lines with no repository, a bare `*` or empty path, or no rule are refused (they judged hundreds of findings
unread before). Real-leak rows (rule `real-leak/...`) are written in ledger.tsv itself and left alone here.
"""
import fnmatch
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import is_leak, read_ledger, write_ledger  # noqa: E402


def read_verdicts(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) != 6 or cells[4] not in ("tp", "fp"):
                sys.exit(f"verdicts.tsv:{n}: want 6 tab-separated cells with verdict tp or fp")
            repo, rule, glob = cells[0], cells[1], cells[2]
            if "/" not in repo or not rule or glob in ("", "*"):
                sys.exit(f"verdicts.tsv:{n}: a catch-all line (repository, rule and a path narrower than `*` are "
                         "required): judge each finding, or one narrow class in one repository, by reading it")
            rules.append(cells)
    return rules


def main():
    ledger_path = os.path.join(HERE, "ledger.tsv")
    ledger = read_ledger(ledger_path)
    verdicts = read_verdicts(os.path.join(HERE, "verdicts.tsv"))
    left = []
    for row in ledger.values():
        if is_leak(row):
            continue  # real leaks found by reading: written in the ledger itself, found/miss kept by run.py
        for repo, rule, glob, ev, verdict, reason in verdicts:
            if (repo == row["repo"] and row["rule"].startswith(rule)
                    and fnmatch.fnmatch(row["path"], glob) and ev in row["evidence"]):
                row["verdict"], row["reason"] = verdict, reason
                break
        else:
            left.append(row)
    write_ledger(ledger_path, ledger)
    for r in left:
        print(f"?  {r['severity']:7} {r['repo']} {r['rule']} {r['path']} {r['evidence']}")
    leaks = sum(1 for r in ledger.values() if is_leak(r))
    print(f"{len(ledger) - leaks - len(left)} judged, {len(left)} left ({leaks} real-leak rows untouched)")


if __name__ == "__main__":
    main()
