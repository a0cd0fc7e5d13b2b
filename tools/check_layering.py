#!/usr/bin/env python3
"""Checks that every #include follows the layering of docs/architecture.md.

Each source file belongs to the first layer in LAYERS whose folder holds it;
a quoted #include must name a file (from the project root, the one include
root) in the same layer or in one the layer may use. Exits 1 and lists every
violation otherwise. Run by CTest (host.layering.includes_follow_the_layers).

  tools/check_layering.py [--root DIR]
"""
import argparse
import pathlib
import re
import sys

# The kernel's layers from the bottom up: (name, folders, extras). A layer
# may include its own folders, lib/, every layer below it, and the extras of
# its own and lower layers: single headers of a higher layer that a lower
# one may use (arch uses the locks, the log and assert/panic; the services
# and everything above read the boot record). docs/architecture.md draws it.
KERNEL_LAYERS = [
    ("arch", ["kernel/arch/"],
     ["kernel/sync/", "kernel/console/log.hpp", "kernel/debug/assert.hpp", "kernel/debug/panic.hpp"]),
    ("sync", ["kernel/sync/"], []),
    ("services", ["kernel/console/", "kernel/debug/", "kernel/rt/", "kernel/test/"], ["kernel/boot/boot_info.hpp"]),
    ("abi", ["kernel/abi/"], []),
    # The vDSO's shared data page layout (built into the user-mode vDSO too).
    ("vdso data", ["kernel/vdso/"], []),
    ("mm", ["kernel/mm/"], ["kernel/boot/entry_state.hpp", "kernel/boot/ap_handoff.hpp"]),
    ("acpi", ["kernel/acpi/"], []),
    ("time", ["kernel/time/"], []),
    # Threads, wait queues, timers and the work queue: built on the CPU, the
    # memory manager and time only, so interrupt routing and drivers may
    # block, wake and hand work to worker threads (docs/scheduler.md).
    ("sched", ["kernel/sched/"], []),
    ("irq", ["kernel/irq/"], []),
    ("smp", ["kernel/smp/"], []),
    ("dev", ["kernel/dev/"], []),
    # User space (the layering of the user-space design): address spaces,
    # then files, then processes (fd tables, cwd, exec), then terminals
    # (a tty is a file and signals its foreground process group), then the
    # system-call layer on top of them all.
    ("vm", ["kernel/vm/"], []),
    ("fs", ["kernel/fs/"], []),
    ("proc", ["kernel/proc/"], []),
    ("tty", ["kernel/tty/"], []),
    ("syscall", ["kernel/syscall/"], []),
]


def kernel_layers():
    layers = []
    below, extras = [], []
    for name, folders, own_extras in KERNEL_LAYERS:
        extras = extras + own_extras
        uses = []
        for use in LIB + below + extras:
            if use not in uses and use not in folders:
                uses.append(use)
        layers.append((name, folders, uses))
        below = below + folders
    return layers


LIB = ["lib/"]
LAYERS = (
    [
        ("lib", ["lib/"], []),
        ("protocol", ["protocol/"], LIB),
        ("loader", ["loader/"], LIB + ["protocol/"]),
    ]
    + kernel_layers()
    + [
        # The top: the entry from the loader (the only kernel folder that
        # knows the protocol) and kernel_main, the boot's table of contents.
        ("boot", ["kernel/boot/", "kernel/main.cpp"], LIB + ["kernel/", "protocol/"]),
        ("bench", ["bench/"], LIB + ["kernel/mm/"]),
    ]
)

# Every test file may include the in-kernel test framework to register its tests.
TEST_FRAMEWORK = "kernel/test/ktest.hpp"
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".S"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    for name, folders, uses in LAYERS:
        if any(path == f or path.startswith(f) for f in folders):
            return name, folders, uses
    return None


def allowed(include, folders, uses):
    return any(include == u or include.startswith(u) for u in folders + uses)


def check(root):
    problems = []
    checked = 0
    for top in ("lib", "protocol", "loader", "kernel", "bench"):
        for file in sorted((root / top).rglob("*")):
            if file.suffix not in SOURCE_SUFFIXES or not file.is_file():
                continue
            path = file.relative_to(root).as_posix()
            layer = layer_of(path)
            if layer is None:
                problems.append(f"{path}: in no layer of tools/check_layering.py (add it there and to docs/architecture.md)")
                continue
            name, folders, uses = layer
            checked += 1
            for number, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                include = match.group(1)
                if not (root / include).is_file():
                    problems.append(f"{path}:{number}: \"{include}\" is not a path from the project root "
                                    "(one include root: #include \"kernel/mm/heap.hpp\")")
                elif include == TEST_FRAMEWORK and path.endswith("_ktests.cpp"):
                    continue
                elif not allowed(include, folders, uses):
                    problems.append(f"{path}:{number}: the {name} layer may not include \"{include}\" "
                                    f"(it may use: {', '.join(uses) or 'nothing else'})")
    return checked, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    root = parser.parse_args().root.resolve()
    checked, problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"layering: {len(problems)} violation(s) in {checked} files; the layers are in docs/architecture.md")
        return 1
    print(f"layering: {checked} files follow docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
