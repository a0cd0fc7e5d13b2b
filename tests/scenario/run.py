#!/usr/bin/env python3
"""Runs one scenario of tests/scenario/scenarios.py: builds the variant's ESP
(from the build's esp-test/ tree, the checked kernel's, or esp/ for the
release kernel, with the scenario's limine.conf, extra files and
kernel patches), writes a GPT disk image, boots QEMU/OVMF under TCG with the
scenario's machine shape and a timeout, and checks the serial log and the
exit status.

  run.py --list                                   names, one per line
  run.py --list-opt-in                            those left out of make test
  run.py --build build --source . NAME [--keep]   run one scenario

The serial log is kept in <build>/scenario-logs/NAME.log.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import qemu  # noqa: E402  (tools/qemu.py: the one QEMU command line)
from scenarios import SCENARIOS, REAL_LIMINE_VERSIONS  # noqa: E402


def default_conf(cmdline, modules=(), timeout=0, resolution="1280x800"):
    lines = [f"timeout: {timeout}", "", "/cxxkernel", "    protocol: limine",
             "    kernel_path: boot():/boot/kernel", f"    cmdline: {cmdline}"]
    if resolution:
        lines.append(f"    resolution: {resolution}")
    for path, module_cmdline in modules:
        lines.append(f"    module_path: boot():{path}")
        if module_cmdline:
            lines.append(f"    module_cmdline: {module_cmdline}")
    return "\n".join(lines) + "\n"


def esp_of(scenario):
    """The build's ESP tree a scenario starts from: the checked kernel's
    (esp-test: DEBUG_ASSERT, UBSan, the in-kernel tests and test hooks),
    unless the scenario boots the release kernel (release=True: esp)."""
    return "esp" if scenario.get("release") else "esp-test"


def prepare_esp(scenario, build_dir, work_dir, loader_binary=None):
    """Copies the build's ESP tree (esp_of) and applies the scenario's changes
    (and another BOOTX64.EFI when `loader_binary` is given). Returns its path."""
    esp = os.path.join(work_dir, "esp")
    shutil.copytree(os.path.join(build_dir, esp_of(scenario)), esp)
    if loader_binary:
        shutil.copyfile(loader_binary, os.path.join(esp, "EFI", "BOOT", "BOOTX64.EFI"))
    conf = scenario.get("conf")
    if conf is True:
        pass  # the build's own boot/limine.conf, as make run boots it
    elif conf is None:
        conf = default_conf(scenario.get("cmdline", ""), scenario.get("modules", ()),
                            resolution=scenario.get("resolution", "1280x800"))
    conf_path = os.path.join(esp, "boot", "limine.conf")
    if conf is False:
        os.remove(conf_path)
    elif conf is not True:
        with open(conf_path, "w") as f:
            f.write(conf)
    for path, built in scenario.get("build_files", {}).items():
        target = os.path.join(esp, path.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(build_dir, built), target)
    for path, content in scenario.get("files", {}).items():
        target = os.path.join(esp, path.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode())
    if scenario.get("kernel"):
        # A test kernel (tests/kernels/, built into <build>/test-kernels/) instead of ours.
        shutil.copyfile(os.path.join(build_dir, scenario["kernel"]), os.path.join(esp, "boot", "kernel"))
    patch = scenario.get("patch_kernel")
    if patch:
        kernel = os.path.join(esp, "boot", "kernel")
        with open(kernel, "rb") as f:
            data = bytearray(f.read())
        patch(data)
        with open(kernel, "wb") as f:
            f.write(bytes(data))
    return esp


def where_the_cpus_are(monitor_path, kernel_elf):
    """For a hang: each virtual CPU's RIP from QEMU's monitor, named by the
    kernel's symbols where it is in the kernel (addr2line)."""
    try:
        monitor = qemu.Monitor(monitor_path, timeout=10)
        # The kernel's own dump (threads, their states and wait channels)
        # is on Ctrl+Alt+F12; it goes to the serial log.
        monitor.command("sendkey ctrl-alt-f12")
        time.sleep(2)
        dump = monitor.command("info registers -a")
        monitor.close()
    except OSError as error:
        return [f"hang: QEMU's monitor did not answer ({error})"]
    rips = re.findall(r"RIP=([0-9a-f]{16})", dump)
    names = {}
    kernel = [rip for rip in rips if rip.startswith("ffff")]
    if kernel and os.path.isfile(kernel_elf):
        # -a: each address heads its group; -i: the functions inlined at it,
        # innermost first, each followed by its file:line.
        out = subprocess.run(["addr2line", "-a", "-f", "-C", "-i", "-e", kernel_elf] + ["0x" + rip for rip in kernel],
                             capture_output=True, text=True).stdout.splitlines()
        current = None
        for line in out:
            if re.fullmatch(r"0x[0-9a-f]+", line):
                current = line[2:].rjust(16, "0")
                names[current] = []
            elif current and not line.startswith("/") and not line.startswith("??:"):
                names[current].append(line)
        names = {rip: " <- ".join(chain) for rip, chain in names.items()}
    return [f"hang: CPU {cpu} at {rip} {names.get(rip, '(user mode)' if not rip.startswith('ffff') else '')}"
            for cpu, rip in enumerate(rips)]


def boot(scenario, image, work_dir, log_path, kernel_elf=""):
    """Boots the image; returns (exit status or None if stopped, serial text, seconds)."""
    vars_file = qemu.fresh_vars(work_dir)
    # (cue, key names) or (cue, key names, seconds to wait after the cue before typing)
    keys = [(re.compile(step[0], re.M), step[1], step[2] if len(step) > 2 else 0)
            for step in scenario.get("keys", ())]
    # (cue, bytes) or (cue, bytes, seconds to wait after the cue before typing)
    serial = [(re.compile(step[0], re.M), step[1], step[2] if len(step) > 2 else 0)
              for step in scenario.get("serial", ())]
    screen = scenario.get("screen")
    # Every boot gets a monitor socket (connected to only when keys or a
    # screen ask for it, or to say where the CPUs are when a boot hangs).
    monitor_path = os.path.join(work_dir, "monitor.sock")
    cmd = qemu.qemu_command(image, vars_file, smp=scenario.get("smp", 1), mem=scenario.get("mem", "256M"),
                            cpu=scenario.get("cpu", "max"), machine=scenario.get("machine", "q35"),
                            monitor=monitor_path, extra=scenario.get("qemu_args", ()))
    expect = [re.compile(p, re.M) for p in scenario.get("expect", ())]
    stop_when_seen = scenario.get("exit") is None
    timeout = scenario.get("timeout", 120)
    start = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.PIPE if serial else subprocess.DEVNULL)
        monitor = qemu.Monitor(monitor_path) if keys or screen else None
        status = None
        screen_failures = []
        hang_report = []
        while True:
            if keys:
                # Type keys through the QEMU monitor once their cue appears.
                with open(log_path, "rb") as f:
                    text = f.read().decode(errors="replace")
                while keys and keys[0][0].search(text):
                    _, names, pause = keys.pop(0)
                    time.sleep(pause)
                    for name in names:
                        monitor.command(f"sendkey {name}")
                        time.sleep(0.3)
            if serial:
                # Type into the serial port (QEMU's stdio) once the cue appears.
                with open(log_path, "rb") as f:
                    text = f.read().decode(errors="replace")
                while serial and serial[0][0].search(text):
                    _, data, pause = serial.pop(0)
                    time.sleep(pause)
                    for byte in data if isinstance(data, bytes) else data.encode():
                        process.stdin.write(bytes([byte]))
                        process.stdin.flush()
                        time.sleep(0.02)
            try:
                status = process.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                pass
            elapsed = time.monotonic() - start
            if stop_when_seen:
                with open(log_path, "rb") as f:
                    text = f.read().decode(errors="replace")
                if all(p.search(text) for p in expect):
                    time.sleep(scenario.get("linger", 0.5))  # let a wrong exit or extra output show
                    if screen and process.poll() is None:
                        # The picture on the screen now, judged by the scenario.
                        ppm = os.path.join(work_dir, "screen.ppm")
                        monitor.command(f"screendump {ppm}")
                        screen_failures = screen(*qemu.read_ppm(ppm))
                    if process.poll() is None:
                        process.kill()
                        process.wait()
                    else:
                        status = process.returncode
                    break
            if elapsed > timeout:
                if monitor:
                    monitor.close()
                hang_report = where_the_cpus_are(monitor_path, kernel_elf)
                process.kill()
                process.wait()
                status = "timeout"
                break
    with open(log_path, "rb") as f:
        text = f.read().decode(errors="replace")
    if screen_failures:
        text += "".join(f"\nscreen: {reason}" for reason in screen_failures)
    if hang_report:
        text += "".join(f"\n{line}" for line in hang_report)
    return status, text, time.monotonic() - start


def check(scenario, status, text):
    """Returns a list of failure reasons (empty when the scenario passed)."""
    failures = []
    wanted_exit = scenario.get("exit")
    if status == "timeout":
        failures.append(f"timed out after {scenario.get('timeout', 120)} s")
    elif wanted_exit == "pass" and status != qemu.EXIT_PASS:
        failures.append(f"QEMU exit status {status}, wanted {qemu.EXIT_PASS} (kernel wrote 0x10: pass)")
    elif wanted_exit == "fail" and status != qemu.EXIT_FAIL:
        failures.append(f"QEMU exit status {status}, wanted {qemu.EXIT_FAIL} (kernel wrote 0x11: fail)")
    elif wanted_exit == "reset" and status != 0:
        failures.append(f"QEMU exit status {status}, wanted 0 (the guest reset with -no-reboot)")
    elif wanted_exit == "poweroff" and status != 0:
        failures.append(f"QEMU exit status {status}, wanted 0 (the guest powered off through ACPI)")
    elif wanted_exit is None and status is not None:
        failures.append(f"QEMU exited by itself with status {status}; the scenario expected it to keep running")
    for pattern in scenario.get("expect", ()):
        if not re.search(pattern, text, re.M):
            failures.append(f"serial log lacks /{pattern}/")
    for pattern in scenario.get("reject", ()):
        match = re.search(pattern, text, re.M)
        if match:
            failures.append(f"serial log has /{pattern}/: {match.group(0)!r}")
    return failures


SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests (cmake/scenario_tests.cmake)


def boots_through_our_loader(build_dir):
    """False when the ESP carries another BOOTX64.EFI (make LIMINE_EFI=...)."""
    with open(os.path.join(build_dir, "esp", "EFI", "BOOT", "BOOTX64.EFI"), "rb") as f:
        return b"cxxkernel-loader" in f.read()


# Scenarios marked real_limine=True run three times: through our loader (the
# plain name) and through each real Limine release, as NAME.limine-<version>.
# The binaries are test data kept outside the repository, beside the clone:
# <source>/../shared/limine/<version>/BOOTX64.EFI (LIMINE_BINARIES=<dir> to
# look elsewhere). Without them those variants are skipped with a note.
def expanded_scenarios():
    for scenario in SCENARIOS:
        if scenario.get("ours", True):
            yield scenario["name"], scenario, None
        real = scenario.get("real_limine")
        for version in (REAL_LIMINE_VERSIONS if real is True else real or ()):
            yield f"{scenario['name']}.limine-{version}", scenario, version


def is_opt_in(scenario, version):
    """Whether this variant is left out of `make test` (the scenario's opt_in)."""
    opt_in = scenario.get("opt_in", False)
    return opt_in is True or (version or "ours") in (opt_in or ())


def real_limine_binary(source, version):
    base = os.environ.get("LIMINE_BINARIES") or os.path.join(os.path.abspath(source), "..", "shared", "limine")
    return os.path.normpath(os.path.join(base, version, "BOOTX64.EFI"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--list-opt-in", action="store_true", help="the names of the opt-in variants")
    parser.add_argument("--build", default="build")
    parser.add_argument("--source", default=os.path.join(HERE, "..", ".."))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("name", nargs="?")
    args = parser.parse_args()

    if args.list or args.list_opt_in:
        for name, scenario, version in expanded_scenarios():
            if args.list or is_opt_in(scenario, version):
                print(name)
        return 0
    by_name = {name: (scenario, version) for name, scenario, version in expanded_scenarios()}
    if args.name not in by_name:
        print(f"run.py: no scenario named {args.name!r}", file=sys.stderr)
        return 2
    scenario, limine_version = by_name[args.name]
    if limine_version:
        # A machine shape that release cannot boot as ours does (see the
        # scenario's comment) runs with the shape given for it.
        scenario = dict(scenario, **scenario.get("limine_overrides", {}).get(limine_version, {}))
    build_dir = os.path.abspath(args.build)
    if scenario.get("our_loader") and not boots_through_our_loader(build_dir):
        print(f"scenario {args.name}: skipped: it checks our loader's own messages or choices")
        return SKIP
    loader_binary = None
    if limine_version:
        loader_binary = real_limine_binary(args.source, limine_version)
        if not os.path.isfile(loader_binary):
            print(f"scenario {args.name}: skipped: no Limine {limine_version} binary at {loader_binary} "
                  f"(test data kept beside the clone, not in it; set LIMINE_BINARIES=<dir> to point elsewhere)")
            return SKIP
    logs = os.path.join(build_dir, "scenario-logs")
    os.makedirs(logs, exist_ok=True)
    log_path = os.path.join(logs, f"{args.name}.log")

    work_dir = tempfile.mkdtemp(prefix=f"scenario-{args.name}-")
    try:
        esp = prepare_esp(scenario, build_dir, work_dir, loader_binary)
        image = os.path.join(work_dir, "disk.img")
        subprocess.run([os.path.join(os.path.abspath(args.source), "tools", "make-disk-image.sh"), esp, image],
                       check=True)
        kernel_elf = os.path.join(build_dir, "kernel.elf" if scenario.get("release") else "kernel-checked.elf")
        status, text, seconds = boot(scenario, image, work_dir, log_path, kernel_elf)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            print(f"run.py: work directory kept in {work_dir}")

    failures = check(scenario, status, text)
    if not failures and scenario.get("check"):
        failures = scenario["check"](text, build_dir)
    print(f"scenario {args.name}: {'FAILED' if failures else 'passed'} in {seconds:.1f} s "
          f"(exit status {status}); serial log: {log_path}")
    if failures:
        for reason in failures:
            print(f"  - {reason}")
        lines = text.splitlines()
        # A failed kernel test may be far above the tail: its lines first.
        failed = [line for line in lines if line.startswith("[ FAIL ]")]
        if failed:
            print("--- failed kernel tests ---")
            print("\n".join(failed[:20]))
        print("--- last 60 lines of the serial log ---")
        print("\n".join(lines[-60:]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
