#!/usr/bin/env python3
"""Dev aid: which rules fire on the SpamAssassin easy-ham-1 messages (real mail that
should mostly pass). Usage: scripts/ham-report.py [--bin target/release/tactful]
[--rule RULE] [--samples N]. Fetch the corpus first with scripts/fetch-ham.sh."""
import argparse, collections, glob, json, os, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="target/release/tactful")
ap.add_argument("--dir", default="tests/.cache/ham/easy-ham-1")
ap.add_argument("--rule", help="show samples of this rule or category")
ap.add_argument("--samples", type=int, default=15)
ap.add_argument("--min-severity", default="warning")
args = ap.parse_args()

files = sorted(glob.glob(os.path.join(args.dir, "*.txt")))
if not files:
    sys.exit(f"no messages in {args.dir}: run scripts/fetch-ham.sh")
flagged = 0
per_rule = collections.Counter()
samples = []
for i in range(0, len(files), 200):
    batch = files[i:i + 200]
    proc = subprocess.run([args.bin, "check", "--no-config", "--format", "json", "--min-severity", args.min_severity, *batch],
                          capture_output=True)
    if proc.returncode not in (0, 1):
        sys.exit(proc.stderr.decode())
    for res in json.loads(proc.stdout):
        diags = res["diagnostics"]
        if diags:
            flagged += 1
        for d in diags:
            per_rule[d["rule"]] += 1
            if args.rule and (d["rule"] == args.rule or d["category"] == args.rule) and len(samples) < args.samples:
                ctx = d["text"]
                if not res.get("decoded"):
                    data = open(res["path"], "rb").read()
                    ctx = data[max(0, d["start"] - 80):d["end"] + 80].decode("utf-8", "replace")
                samples.append((os.path.basename(res["path"]), d["rule"], d["text"], ctx.replace("\n", " ⏎ ")))
print(f"{flagged}/{len(files)} messages flagged at >= {args.min_severity} ({flagged / len(files):.1%})")
for rule, n in per_rule.most_common(30):
    print(f"{n:6} {rule}")
for name, rule, hit, ctx in samples:
    print(f"--- {name} {rule} [{hit}]\n    {ctx}")
