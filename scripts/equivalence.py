#!/usr/bin/env python3
"""Finding-for-finding comparison of two tactful builds over the corpora, for changes
that must not change what is reported (a port of the packs, a new matcher).

usage:
  scripts/equivalence.py record BIN OUT.json [--corpus NAME=DIR ...] [-- CHECK ARGS]
  scripts/equivalence.py compare OLD NEW [--corpus NAME=DIR ...] [--json] [-- CHECK ARGS]

OLD and NEW are each a tactful binary (run now) or a recording made by `record`.
A recording keeps every finding as (file, rule, severity, span, text), so a baseline of
today's main can be compared with a later build without keeping the old binary around.

Corpora, by default (a missing one is skipped with a note on stderr):
  dev         tests/corpus (the copy of ../shared/corpus/dev)
  dev2        ../shared/corpus/dev2, looked for next to the repository and its parents
  easy-ham-1  tests/.cache/ham/easy-ham-1 (scripts/fetch-ham.sh fetches it)
With --corpus only the named ones are used. CHECK ARGS go to `tactful check` (default
`--no-config --min-severity hint`, so every finding at every severity is compared).

`compare` prints every difference, one line per finding, per file:
  - a finding only OLD reports        + a finding only NEW reports
  ~ the same rule at an overlapping span with another span or text, or at another severity
then a count per corpus, and exits 1 when there is any difference (0 when none)."""
import argparse, glob, json, os, subprocess, sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CHECK_ARGS = ["--no-config", "--min-severity", "hint"]
BATCH = 250


def find_dev2():
    """../shared/corpus/dev2 next to the repository; worktrees sit one level deeper."""
    here = REPO
    while True:
        parent = os.path.dirname(here)
        candidate = os.path.join(parent, "shared", "corpus", "dev2")
        if os.path.isdir(candidate):
            return candidate
        if parent == here:
            return None
        here = parent


def default_corpora():
    corpora = {"dev": os.path.join(REPO, "tests", "corpus"), "dev2": find_dev2(),
               "easy-ham-1": os.path.join(REPO, "tests", ".cache", "ham", "easy-ham-1")}
    present = {}
    for name, path in corpora.items():
        if path and messages(path):
            present[name] = path
        else:
            print(f"note: corpus {name} not found ({path or '../shared/corpus/dev2'}), skipped", file=sys.stderr)
    return present


def messages(directory):
    files = [f for f in sorted(glob.glob(os.path.join(directory, "*")))
             if os.path.isfile(f) and not f.endswith(".toml")]
    return files


def run(binary, corpora, check_args):
    """Every finding of `binary` on every corpus, as a recording."""
    recording = {"binary": os.path.abspath(binary), "check_args": check_args, "corpora": {}}
    for name, directory in corpora.items():
        files = messages(directory)
        found = {}
        for i in range(0, len(files), BATCH):
            batch = files[i:i + BATCH]
            proc = subprocess.run([binary, "check", "--format", "json", *check_args, *batch], capture_output=True)
            if proc.returncode not in (0, 1):
                sys.exit(f"{binary} failed on {name} (exit {proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
            for result, path in zip(json.loads(proc.stdout), batch):
                found[os.path.relpath(path, directory)] = [
                    {"rule": d["rule"], "severity": d["severity"], "start": d["start"], "end": d["end"], "text": d["text"]}
                    for d in result["diagnostics"]]
        recording["corpora"][name] = {"dir": os.path.abspath(directory), "files": found}
        print(f"{name}: {len(files)} files, {sum(map(len, found.values()))} findings", file=sys.stderr)
    return recording


def load_or_run(side, corpora, check_args):
    if os.access(side, os.X_OK) and not side.endswith(".json"):
        return run(side, corpora, check_args)
    with open(side) as f:
        recording = json.load(f)
    if recording.get("check_args") != check_args:
        print(f"note: {side} was recorded with check args {recording.get('check_args')}, not {check_args}", file=sys.stderr)
    return recording


def key(finding):
    return (finding["rule"], finding["start"], finding["end"], finding["text"])


def diff_file(old, new):
    """Lines for one file's differences, in text order."""
    old_keys, new_keys = {key(f): f for f in old}, {key(f): f for f in new}
    gone = [f for k, f in old_keys.items() if k not in new_keys]
    added = [f for k, f in new_keys.items() if k not in old_keys]
    changed = []
    for before in list(gone):
        after = next((f for f in added if f["rule"] == before["rule"]
                      and f["start"] < max(before["end"], before["start"] + 1)
                      and before["start"] < max(f["end"], f["start"] + 1)), None)
        if after:
            gone.remove(before)
            added.remove(after)
            changed.append((before, after))
    for k in old_keys.keys() & new_keys.keys():
        if old_keys[k]["severity"] != new_keys[k]["severity"]:
            changed.append((old_keys[k], new_keys[k]))
    show = lambda f: f'{f["rule"]} {f["start"]}..{f["end"]} {f["severity"]} {json.dumps(f["text"], ensure_ascii=False)}'
    lines = [(f["start"], f"- {show(f)}") for f in gone] + [(f["start"], f"+ {show(f)}") for f in added]
    lines += [(a["start"], f"~ {show(a)}  (was {show(b)})") for b, a in changed]
    return [line for _, line in sorted(lines)], len(gone), len(added), len(changed)


def compare(old, new, names, as_json):
    differences, report = 0, {}
    for name in names:
        old_files = old["corpora"].get(name, {}).get("files")
        new_files = new["corpora"].get(name, {}).get("files")
        if old_files is None or new_files is None:
            print(f"note: corpus {name} is missing from one side, not compared", file=sys.stderr)
            continue
        counts = {"files": 0, "old": 0, "new": 0, "only_old": 0, "only_new": 0, "changed": 0}
        entries = {}
        for path in sorted(old_files.keys() | new_files.keys()):
            before, after = old_files.get(path, []), new_files.get(path, [])
            lines, gone, added, changed = diff_file(before, after)
            counts["files"] += 1
            counts["old"] += len(before)
            counts["new"] += len(after)
            counts["only_old"] += gone
            counts["only_new"] += added
            counts["changed"] += changed
            if lines:
                entries[path] = lines
                if not as_json:
                    print(f"{name}/{path}")
                    for line in lines:
                        print(f"  {line}")
        differences += counts["only_old"] + counts["only_new"] + counts["changed"]
        report[name] = {"counts": counts, "differences": entries}
        if not as_json:
            c = counts
            print(f"== {name}: {c['files']} files, {c['old']} -> {c['new']} findings; "
                  f"{c['only_old']} only old, {c['only_new']} only new, {c['changed']} changed")
    if as_json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    return differences


def main():
    argv = sys.argv[1:]
    check_args = DEFAULT_CHECK_ARGS
    if "--" in argv:
        check_args = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], usage=__doc__.split("\n\n")[1])
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record")
    record.add_argument("binary")
    record.add_argument("out")
    cmp = commands.add_parser("compare")
    cmp.add_argument("old")
    cmp.add_argument("new")
    cmp.add_argument("--json", action="store_true", help="print the differences as JSON")
    for sub in (record, cmp):
        sub.add_argument("--corpus", action="append", metavar="NAME=DIR", help="compare on this corpus (repeatable)")
    args = parser.parse_args(argv)
    if args.corpus:
        corpora = dict(c.split("=", 1) for c in args.corpus)
    else:
        corpora = default_corpora()
    if args.command == "record":
        recording = run(args.binary, corpora, check_args)
        with open(args.out, "w") as f:
            json.dump(recording, f, indent=1, ensure_ascii=False)
        return 0
    old = load_or_run(args.old, corpora, check_args)
    new = load_or_run(args.new, corpora, check_args)
    names = list(corpora) if args.corpus else list(dict.fromkeys([*old["corpora"], *new["corpora"]]))
    return 1 if compare(old, new, names, args.json) else 0


if __name__ == "__main__":
    sys.exit(main())
