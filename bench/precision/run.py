#!/usr/bin/env python3
"""Judged precision run: gate every pinned repository and compare with the ledger.

    bench/precision/run.py                 # run all, print what changed and per-rule precision
    bench/precision/run.py --only forms    # repositories whose name contains "forms"
    bench/precision/run.py --record        # also add new findings to the ledger as "?" (to judge)

Each pinned commit is extracted from its local mirror (fetched with the `fetch` tool into
/work/.mirror/OWNER+NAME/repo; override with --mirror) into target/precision/NAME and committed as one
root commit of a fresh git repository, so the files gated are exactly the files the project tracks and
the history rules have nothing to say (history behaviour is measured separately). shipgate then runs
offline with the default config (the repository's own shipgate.toml, if any, is what a user would get).

The ledger (ledger.tsv) holds one line per distinct error- or warning-level finding:
    repo  rule  path  evidence  severity  verdict  reason
keyed by (repo, rule, path, evidence) so it survives line shifts; verdict is tp, fp or ? (not judged).

It also holds one line per real leak found by reading a repository by hand (rule `real-leak/<shape>`,
path = the file a report must point at, or several separated by `|`; `PATH@RULE` when only that rule's
finding there reports it, e.g. a second leak in a Dockerfile another rule already points at). Their verdict is `found` when some finding of the run, at any
severity (notes included) and of a test-leak family (leak/, data/, switch/), points at that path, else `miss`; severity is the highest such severity or
`none`. These rows are never dropped as "gone"; a run that changes one prints it, and --record writes the
change (check it by reading: a finding on the same file is not always a report of the leak). They give
recall: real leaks reported / real leaks found by reading, per set.
Nothing of the repositories' code is committed: only the pins and the ledger.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIELDS = ["repo", "rule", "path", "evidence", "severity", "verdict", "reason"]
LEAK_RULE = "real-leak/"  # rows for real leaks found by reading, reported or not
# Only findings of the test-leak families report a real leak: an owners/ or workflow/ finding that happens
# to point at the same Dockerfile says nothing about the tests inside the image.
REPORTING_FAMILIES = ("leak/", "data/", "switch/")
SEVERITY_RANK = {"error": 3, "warning": 2, "note": 1}


def is_leak(row):
    return row["rule"].startswith(LEAK_RULE)


def clean(text):
    """Ledger cells are one line of tab-free text; evidence is cut so long matches stay readable."""
    text = " ".join(str(text).split())
    return text[:120]


def read_pins(path):
    pins = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            spec, kind = line.split()
            name, commit = spec.split("@")
            pins.append((name, commit, kind))
    return pins


def read_ledger(path):
    ledger = collections.OrderedDict()
    if not os.path.exists(path):
        return ledger
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if n == 1 or not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) != len(FIELDS):
                sys.exit(f"ledger.tsv:{n}: expected {len(FIELDS)} tab-separated cells, got {len(cells)}")
            row = dict(zip(FIELDS, cells))
            ledger[(row["repo"], row["rule"], row["path"], row["evidence"])] = row
    return ledger


def write_ledger(path, ledger):
    rows = sorted(ledger.values(), key=lambda r: (r["repo"].lower(), r["rule"], r["path"], r["evidence"]))
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\t".join(FIELDS) + "\n")
        for r in rows:
            f.write("\t".join(r[k] for k in FIELDS) + "\n")
    os.replace(path + ".tmp", path)


def git(*args, cwd=None, stdin=None, stdout=subprocess.DEVNULL):
    env = dict(os.environ, GIT_AUTHOR_NAME="precision", GIT_AUTHOR_EMAIL="precision@localhost",
               GIT_COMMITTER_NAME="precision", GIT_COMMITTER_EMAIL="precision@localhost",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    return subprocess.run(["git", *args], cwd=cwd, stdin=stdin, stdout=stdout, env=env, check=True)


def mirror_of(mirror_root, name):
    base = os.path.join(mirror_root, name.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base


def extract(mirror_root, work, name, commit):
    """target/precision/NAME holds the pinned tree as a one-commit repository (made once)."""
    dest = os.path.join(work, name.replace("/", "+"))
    stamp = os.path.join(dest, ".git", "shipgate-precision-pin")
    if os.path.exists(stamp) and open(stamp).read().strip() == commit:
        return dest
    subprocess.run(["rm", "-rf", dest], check=True)
    os.makedirs(dest)
    missing = write_tree(mirror_of(mirror_root, name), commit, dest)
    if missing:
        # Snapshots leave out files of 4 MiB and more; note how many so a count change is explained.
        print(f"  {name}: {missing} blobs absent from the mirror (large files), left out", file=sys.stderr)
    git("init", "-q", "-b", "main", cwd=dest)
    # -f: every file in the archive was tracked upstream, even where .gitignore matches it.
    git("add", "-f", "-A", ".", cwd=dest)
    git("commit", "-q", "--no-verify", "-m", f"{name}@{commit}", cwd=dest)
    with open(stamp, "w") as f:
        f.write(commit + "\n")
    return dest


def write_tree(git_dir, commit, dest):
    """Write the commit's files (like `git archive | tar -x`, which stops at a blob the snapshot lacks)."""
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
                             stdout=subprocess.PIPE, check=True).stdout
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob":
            entries.append((mode, oid, path))
    batch = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    missing = 0
    for mode, oid, path in entries:
        batch.stdin.write(oid + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            missing += 1
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        target = os.path.join(dest.encode(), path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if mode == b"120000":
            os.symlink(data, target)
        else:
            with open(target, "wb") as f:
                f.write(data)
            if mode == b"100755":
                os.chmod(target, 0o755)
    batch.stdin.close()
    batch.wait()
    return missing


def gate(binary, tree):
    out = tree + ".json"
    if os.path.exists(out):
        os.remove(out)  # a stale report must not stand in for a run that wrote none
    proc = subprocess.run([binary, "check", tree, "--offline", "--format", "json", "--output", out],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Exit 2 with a report: the gate ran and could not check something it was given (an invalid
    # workflow): its findings count, and the repository fails. Exit 2 without one is a failure to run.
    if proc.returncode not in (0, 1) and not (proc.returncode == 2 and os.path.exists(out)):
        return proc.returncode, None, proc.stderr.strip()
    with open(out, encoding="utf-8") as f:
        return proc.returncode, json.load(f), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", default=os.environ.get("PRECISION_MIRROR", "/work/.mirror"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "precision"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "shipgate"))
    ap.add_argument("--only", help="run only repositories whose name contains this")
    ap.add_argument("--record", action="store_true", help="add new findings to the ledger as '?'")
    args = ap.parse_args()

    pins = read_pins(os.path.join(HERE, "repos.txt"))
    ledger_path = os.path.join(HERE, "ledger.tsv")
    ledger = read_ledger(ledger_path)
    os.makedirs(args.work, exist_ok=True)

    seen, new, changed, failures = set(), [], [], []
    per_repo = []
    reported = {}  # (repo, path) -> highest severity of any finding there (notes included)
    for name, commit, kind in pins:
        if args.only and args.only not in name:
            continue
        tree = extract(args.mirror, args.work, name, commit)
        code, report, err = gate(args.bin, tree)
        if report is None:
            failures.append((name, code, err))
            per_repo.append((name, kind, code, 0, 0))
            continue
        counts = collections.Counter()
        for f in report["findings"]:
            path = (f.get("location") or {}).get("path")
            # Keyed by path alone, and by path and rule for rows that name the rule reporting them.
            for where in ((name, path), (name, f"{path}@{f['rule']}")):
                if f["rule"].startswith(REPORTING_FAMILIES) and \
                        SEVERITY_RANK.get(f["severity"], 0) > SEVERITY_RANK.get(reported.get(where), 0):
                    reported[where] = f["severity"]
            if f["severity"] not in ("error", "warning"):
                continue
            counts[f["severity"]] += 1
            loc = f.get("location") or {}
            key = (name, f["rule"], loc.get("path") or loc.get("kind", ""), clean(f.get("evidence") or f["message"]))
            if key in seen:
                continue
            seen.add(key)
            row = ledger.get(key)
            if row is None:
                row = dict(zip(FIELDS, [*key, f["severity"], "?", ""]))
                new.append((row, f))
                if args.record:
                    ledger[key] = row
            elif row["severity"] != f["severity"]:
                changed.append((row, f["severity"]))
                row["severity"] = f["severity"]
        per_repo.append((name, kind, code, counts["error"], counts["warning"]))

    scope = [k for k in ledger if not args.only or args.only in k[0]]
    gone = [ledger[k] for k in scope if k not in seen and not is_leak(ledger[k])]
    in_run = [ledger[k] for k in scope if k in seen]
    ran = {name for name, _, _, _, _ in per_repo} - {name for name, _, _ in failures}
    leaks = [ledger[k] for k in scope if is_leak(ledger[k]) and k[0] in ran]
    leak_changed = []
    for r in leaks:
        sevs = [reported.get((r["repo"], p)) for p in r["path"].split("|")]
        sev = max(sevs, key=lambda v: SEVERITY_RANK.get(v, 0))
        verdict, severity = ("found", sev) if sev else ("miss", "none")
        if (r["verdict"], r["severity"]) != (verdict, severity):
            leak_changed.append((r, r["verdict"], r["severity"], verdict, severity))

    print("== repositories (exit, errors, warnings)")
    for name, kind, code, e, w in per_repo:
        print(f"  {kind:8} {name:55} exit {code}  {e:4} errors {w:4} warnings")
    for name, code, err in failures:
        print(f"!! {name}: exit {code}: {err}")

    if new:
        print(f"\n== new findings to judge ({len(new)})")
        for row, f in new:
            loc = f.get("location") or {}
            print(f"  {row['severity']:7} {row['repo']} {row['rule']} {row['path']}:{loc.get('line', '')} {row['evidence']}")
    if gone:
        print(f"\n== findings gone ({len(gone)})")
        for r in gone:
            print(f"  {r['verdict']:3} {r['severity']:7} {r['repo']} {r['rule']} {r['path']} {r['evidence']}")
    if changed:
        print(f"\n== severity changed ({len(changed)})")
        for r, sev in changed:
            print(f"  {r['verdict']:3} {r['repo']} {r['rule']} {r['path']} -> {sev}")
    if leak_changed:
        print(f"\n== real leaks whose report changed ({len(leak_changed)}; read the finding on that file to confirm)")
        for r, old_v, old_s, new_v, new_s in leak_changed:
            print(f"  {old_v}/{old_s} -> {new_v}/{new_s}  {r['repo']} {r['path']}  ({r['evidence']})")

    if args.record:
        for r, _, _, new_v, new_s in leak_changed:
            r["verdict"], r["severity"] = new_v, new_s
    report_precision(in_run, pins, per_repo)
    report_sets([ledger[k] for k in scope], pins, per_repo)
    if args.record:
        for r in gone:
            del ledger[(r["repo"], r["rule"], r["path"], r["evidence"])]
        write_ledger(ledger_path, ledger)
        print(f"\nledger.tsv written ({len(ledger)} entries; new ones are '?' until judged)")
    unjudged = [r for r in in_run if r["verdict"] == "?"] + [r for r, _ in new]
    if failures:
        sys.exit(2)
    if unjudged:
        print(f"\n{len(unjudged)} findings are not judged yet: set their verdict in ledger.tsv")
        sys.exit(1)


def report_precision(rows, pins, per_repo):
    kinds = {name: kind for name, _, kind in pins}
    sets = list(dict.fromkeys(kind for _, _, kind in pins))  # in repos.txt order
    for severity in ("error", "warning"):
        by_rule = collections.defaultdict(collections.Counter)
        for r in rows:
            if r["severity"] == severity and not is_leak(r):
                by_rule[r["rule"]][(kinds.get(r["repo"]), r["verdict"])] += 1
        if not by_rule:
            continue
        print(f"\n== {severity}-level precision per rule (distinct findings; {' / '.join(sets)} / all)")
        totals = collections.Counter()
        for rule in sorted(by_rule):
            c = by_rule[rule]
            totals.update(c)
            print(f"  {rule:38} " + "   ".join(fmt(c, k) for k in sets + [None]))
        print(f"  {'all rules':38} " + "   ".join(fmt(totals, k) for k in sets + [None]))



def report_sets(rows, pins, per_repo):
    """Per set: real-leak recall, healthy repositories passing, error-level findings true and false.

    Healthy = no true error-level finding and no real leak found by reading (reported or not): its
    maintainers would have nothing to fix, so the gate should pass it (exit 0). Recall counts real leaks
    reported at any severity; sets never read for leaks by hand have no leak rows and show "not read".
    """
    kinds = {name: kind for name, _, kind in pins}
    sets = list(dict.fromkeys(kind for _, _, kind in pins))
    ran = {n for n, _, _, _, _ in per_repo}
    rows = [r for r in rows if r["repo"] in ran]
    unhealthy = {r["repo"] for r in rows if is_leak(r) or (r["severity"] == "error" and r["verdict"] == "tp")}
    print("\n== per set: real-leak recall (any severity) / healthy repositories passing / error-level findings")
    for kind in sets:
        repos = [(n, code) for n, k, code, _, _ in per_repo if k == kind]
        if not repos:
            continue
        leak_rows = [r for r in rows if is_leak(r) and kinds.get(r["repo"]) == kind]
        found = sum(1 for r in leak_rows if r["verdict"] == "found")
        recall = (f"{found}/{len(leak_rows)} ({100 * found / len(leak_rows):.0f} %)" if leak_rows
                  else "not read")
        healthy = [(n, code) for n, code in repos if n not in unhealthy]
        passed = sum(1 for _, code in healthy if code == 0)
        pass_rate = f"{passed}/{len(healthy)}" + (f" ({100 * passed / len(healthy):.0f} %)" if healthy else "")
        errors = [r for r in rows if not is_leak(r) and r["severity"] == "error" and kinds.get(r["repo"]) == kind]
        tp = sum(1 for r in errors if r["verdict"] == "tp")
        fp = sum(1 for r in errors if r["verdict"] == "fp")
        unk = len(errors) - tp - fp
        prec = f"{100 * tp / (tp + fp):.1f} %" if tp + fp else "—"
        print(f"  {kind:9} recall {recall:14} healthy passing {pass_rate:14} errors {tp} true {fp} false"
              f"{f' {unk} unjudged' if unk else ''} (precision {prec})")


def fmt(counter, kind):
    tp = sum(v for (k, verdict), v in counter.items() if verdict == "tp" and (kind is None or k == kind))
    fp = sum(v for (k, verdict), v in counter.items() if verdict == "fp" and (kind is None or k == kind))
    unk = sum(v for (k, verdict), v in counter.items() if verdict == "?" and (kind is None or k == kind))
    prec = f"{100 * tp / (tp + fp):5.1f} %" if tp + fp else "    — "
    return f"{tp:3} tp {fp:3} fp {unk:3} ? {prec}"


if __name__ == "__main__":
    main()
