#!/usr/bin/env python3
"""Differential testing of the user-space test programs (tests/user/).

Each program prints deterministic observations, one per line. The same
binary must print the same lines on the host Linux and in our kernel; the
only exceptions are listed, with the reason, in
tests/user/allowed_differences.txt.

Subcommands:
  host-run   run one program's glibc and musl builds on the host (CTest label
             user-host): each must exit 0, print the same lines twice in a
             row, and the two builds must agree; the glibc output is kept as
             the reference build/user-ref/<flavour>/<prog>.out
  compare    compare a reference output with another output of the same
             program (e.g. the one captured in our kernel)
  split      cut a serial log into per-program outputs, using the marker
             lines tests/user/run-all.sh prints:
               @@user-test begin <flavour>/<prog>
               @@user-test end <flavour>/<prog> status=<n>
  kernel     split a serial log and compare every program in it with the
             references; a program that is missing or exited non-zero fails

Lines are compared after removing a trailing carriage return (a terminal's
ONLCR turns "\\n" into "\\r\\n" on a serial console).
"""
import argparse
import os
import re
import subprocess
import sys

FLAVOURS = ("glibc", "musl")
BEGIN = re.compile(r"^@@user-test begin (\S+)/(\S+)\s*$")
END = re.compile(r"^@@user-test end (\S+)/(\S+) status=(\d+)\s*$")


def load_allowed(path, program):
    """The allowed differences of one program: a list of compiled regexes.

    File format, one entry a line:  <program|*> <regex>  (# starts a comment
    line). Where both lines at the same position match the regex, the parts
    in the regex's groups may differ (the whole line when it has no group).
    """
    rules = []
    if not path or not os.path.exists(path):
        return rules
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                sys.exit(f"{path}:{number}: expected '<program> <regex>'")
            if parts[0] in (program, "*"):
                rules.append(re.compile(parts[1]))
    return rules


def masked(line, rules):
    """The line with the parts an allowed difference may change blanked."""
    for rule in rules:
        match = rule.fullmatch(line)
        if not match:
            continue
        if not rule.groups:
            return "<allowed>"
        out, last = [], 0
        for group in range(1, rule.groups + 1):
            start, end = match.span(group)
            if start < 0:
                continue
            out.append(line[last:start] + "<allowed>")
            last = end
        return "".join(out) + line[last:]
    return line


def clean(text):
    return [line.rstrip("\r") for line in text.split("\n")][:-1 if text.endswith("\n") else None]


def differences(expected, actual, rules, limit=20):
    """Human-readable differences between two outputs (empty when equal)."""
    exp, act = clean(expected), clean(actual)
    report = []
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else None
        a = act[i] if i < len(act) else None
        if e is not None and a is not None and masked(e, rules) == masked(a, rules):
            continue
        report.append(f"  line {i + 1}:\n    expected: {e if e is not None else '<missing>'}\n"
                      f"    actual:   {a if a is not None else '<missing>'}")
        if len(report) >= limit:
            report.append("  ... (more differences left out)")
            break
    return report


def run(binary, timeout):
    try:
        result = subprocess.run([binary], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace"), f"timed out after {timeout} s"
    return result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")


def host_run(args):
    failures = []
    outputs = {}
    for flavour in FLAVOURS:
        binary = os.path.join(args.bin_dir, flavour, args.program)
        runs = []
        for attempt in range(2):
            code, out, err = run(binary, args.timeout)
            if code != 0:
                failures.append(f"{flavour}/{args.program} run {attempt + 1}: exit status {code}\n{out}{err}")
            runs.append(out)
        rules = load_allowed(args.allowed, args.program)
        if diff := differences(runs[0], runs[1], rules):
            failures.append(f"{flavour}/{args.program}: two runs printed different lines (not deterministic):\n"
                            + "\n".join(diff))
        outputs[flavour] = runs[0]
        os.makedirs(os.path.join(args.ref_dir, flavour), exist_ok=True)
        with open(os.path.join(args.ref_dir, flavour, args.program + ".out"), "w") as f:
            f.write(runs[0])
    rules = load_allowed(args.allowed, args.program)
    if diff := differences(outputs["glibc"], outputs["musl"], rules):
        failures.append(f"{args.program}: the glibc and musl builds disagree (expected = glibc):\n" + "\n".join(diff))
    if failures:
        print("\n".join(failures))
        return 1
    lines = len(clean(outputs["glibc"]))
    print(f"{args.program}: glibc and musl builds exit 0, {lines} lines each, identical and stable; "
          f"reference in {args.ref_dir}/<flavour>/{args.program}.out")
    return 0


def compare(args):
    with open(args.expected, errors="replace") as f:
        expected = f.read()
    with open(args.actual, errors="replace") as f:
        actual = f.read()
    if diff := differences(expected, actual, load_allowed(args.allowed, args.program)):
        print(f"{args.program}: {args.actual} differs from {args.expected}:\n" + "\n".join(diff))
        return 1
    print(f"{args.program}: identical ({len(clean(expected))} lines)")
    return 0


def split_log(text):
    """{(flavour, program): (status or None, output)} from a serial log."""
    sections, current, lines = {}, None, []
    for line in clean(text):
        if m := BEGIN.match(line):
            current, lines = (m.group(1), m.group(2)), []
        elif (m := END.match(line)) and current == (m.group(1), m.group(2)):
            sections[current] = (int(m.group(3)), "".join(x + "\n" for x in lines))
            current = None
        elif current:
            lines.append(line)
    if current:
        sections[current] = (None, "".join(x + "\n" for x in lines))
    return sections


def split(args):
    with open(args.log, errors="replace") as f:
        sections = split_log(f.read())
    for (flavour, program), (status, output) in sections.items():
        os.makedirs(os.path.join(args.out_dir, flavour), exist_ok=True)
        with open(os.path.join(args.out_dir, flavour, program + ".out"), "w") as f:
            f.write(output)
        print(f"{flavour}/{program}: status={status} lines={len(clean(output))}")
    return 0 if sections else 1


def kernel(args):
    with open(args.log, errors="replace") as f:
        sections = split_log(f.read())
    failed = passed = 0
    for flavour in FLAVOURS:
        ref_dir = os.path.join(args.ref_dir, flavour)
        for name in sorted(os.listdir(ref_dir)) if os.path.isdir(ref_dir) else []:
            program = name[:-len(".out")]
            if args.programs and program not in args.programs:
                continue
            with open(os.path.join(ref_dir, name)) as f:
                expected = f.read()
            status, actual = sections.get((flavour, program), (None, None))
            problems = []
            if actual is None:
                problems.append("did not run (no @@user-test markers in the log)")
            else:
                if status != 0:
                    problems.append(f"exit status {status}")
                problems += differences(expected, actual, load_allowed(args.allowed, program))
            if problems:
                failed += 1
                print(f"{flavour}/{program}: FAILED\n" + "\n".join(problems))
            else:
                passed += 1
                print(f"{flavour}/{program}: matches the host")
    print(f"differential: {passed} programs match, {failed} differ")
    return 1 if failed or not passed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("host-run")
    p.add_argument("program")
    p.add_argument("--bin-dir", required=True, help="holds glibc/<prog> and musl/<prog>")
    p.add_argument("--ref-dir", required=True)
    p.add_argument("--allowed")
    p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("compare")
    p.add_argument("program")
    p.add_argument("expected")
    p.add_argument("actual")
    p.add_argument("--allowed")
    p = sub.add_parser("split")
    p.add_argument("log")
    p.add_argument("out_dir")
    p = sub.add_parser("kernel")
    p.add_argument("log")
    p.add_argument("--ref-dir", required=True)
    p.add_argument("--allowed")
    p.add_argument("programs", nargs="*", help="only these programs (default: every reference)")
    args = parser.parse_args()
    sys.exit({"host-run": host_run, "compare": compare, "split": split, "kernel": kernel}[args.command](args))


if __name__ == "__main__":
    main()
