#!/usr/bin/env python3
"""The Linux reference for `make bench`: Debian's Linux 6.1 and our kernel
run the same user-space benchmark (bench/user/ubench.c) in the same QEMU
machine under -icount, and this prints guest instructions per operation
side by side (docs/benchmarks.md says what each figure includes).

Linux side, all from Debian packages (cached under build/linux-ref/):
  - vmlinuz from linux-image-cloud-amd64's kernel package (apt-get download,
    unpacked with dpkg-deb; no other download);
  - an initramfs (cpio newc) with Debian's static busybox, ubench and /init;
  - booted by QEMU's -kernel/-initrd (SeaBIOS) on q35, TCG, 1 CPU (--smp),
    -icount shift=0,align=off,sleep=off, "console=ttyS0 mitigations=off quiet".
/init mounts /dev, /dev/pts, /proc, /sys and a tmpfs on /tmp and starts an
interactive busybox shell whose prompt reads the TSC; the harness then types
`ubench --dir /tmp; poweroff -f` at that prompt.

Hand-off to the first prompt: the prompt shows "@@prompt tsc=N@@" (N read by
`ubench --tsc` inside PS1, so it includes that one fork+exec). The TSC at
the firmware's hand-off to the kernel is measured by booting a 1.5 KiB probe
in bzImage format (tools/handoff_probe.S) the very same way, with the same
initrd: its first instruction reads the TSC and prints it. Linux's figure is
N minus the probe's.

Our side: run_ours() boots our release kernel (build/esp: our loader under
OVMF) in the same QEMU machine with the very same initramfs as its root and
init=/init, and types the same command at the same prompt; its hand-off is
the prompt's TSC minus the kernel's entry TSC (the kernel's `timing:` line).

Then the wall time to the first prompt without -icount: make run's machine
booting build/disk.img to busybox's shell, and Linux booting the reference
initramfs in the same QEMU settings (--wall-boots).
"""
import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
KERNEL_META_PACKAGE = "linux-image-cloud-amd64"
APPEND = "console=ttyS0 mitigations=off quiet"
DEBUG_EXIT_PORT = 0xF4
# Applets the initramfs's /init and the harness use, linked to /bin/busybox.
APPLETS = ["sh", "mount", "mkdir", "setsid", "cttyhack", "poweroff", "cat", "echo", "ls", "uname"]

# Operations in table order: (ubench name, what the table calls it).
OPERATIONS = [
    ("null_syscall", "null syscall (getppid)"),
    ("page_fault", "page fault, per 4 KiB page touched"),
    ("fork_exit_wait", "fork + exit + wait"),
    ("fork_execve", "fork + execve + exit + wait"),
    ("mmap_munmap", "mmap + munmap (4 KiB, untouched)"),
    ("clock_gettime", "clock_gettime(MONOTONIC) (vDSO)"),
    ("signal_round_trip", "signal round trip (kill self, handler, sigreturn)"),
    ("futex_wake_cross_cpu", "futex wake, waiter on the other CPU"),
    ("mutex_handoff", "pthread mutex hand-off between CPUs"),
    ("sched_yield", "sched_yield, 2 processes on 1 CPU"),
    ("pipe_round_trip", "pipe round trip, 2 processes"),
    ("open_close", "open + close (tmpfs)"),
    ("stat", "stat (tmpfs)"),
    ("read_1mib", "read 1 MiB (tmpfs)"),
    ("getdents64_1000", "getdents64, 1000-entry directory"),
]
UBENCH_LINE = re.compile(r"^ubench (\w+) (\d+) runs=(\d+)", re.M)
PROMPT = re.compile(rb"@@prompt tsc=(\d+)@@")
PROBE = re.compile(rb"@([0-9A-F]{16})\r?\n")

INIT_SCRIPT = """#!/bin/sh
# /init of the Linux reference initramfs (tools/linux_reference.py).
mount -t devtmpfs devtmpfs /dev
exec 0<>/dev/console 1>&0 2>&0
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
export PS1='@@prompt tsc=$(/bin/ubench --tsc)@@ # '
exec setsid cttyhack sh
"""


def log(message):
    print(f"linux_reference: {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs).stdout


def apt_package_lists_know(package):
    return subprocess.run(["apt-cache", "show", package], capture_output=True).returncode == 0


def kernel_package_name():
    """The versioned image package linux-image-cloud-amd64 depends on."""
    if not apt_package_lists_know(KERNEL_META_PACKAGE):
        log("apt-get update (the package lists do not know the kernel package)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
    for line in run(["apt-cache", "depends", KERNEL_META_PACKAGE]).splitlines():
        m = re.match(r"\s*Depends: (linux-image-\S+-cloud-amd64)$", line)
        if m:
            return m.group(1)
    sys.exit(f"linux_reference: {KERNEL_META_PACKAGE} names no linux-image package")


def debian_vmlinuz(cache):
    """build/linux-ref/<package>/boot/vmlinuz-*, downloaded and unpacked once."""
    package = kernel_package_name()
    root = os.path.join(cache, package)
    found = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if found:
        return found[0], package
    os.makedirs(cache, exist_ok=True)
    debs = glob.glob(os.path.join(cache, f"{package}_*.deb"))
    if not debs:
        log(f"apt-get download {package}")
        subprocess.run(["apt-get", "download", "-q", package], cwd=cache, check=True)
        debs = glob.glob(os.path.join(cache, f"{package}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    found = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if not found:
        sys.exit(f"linux_reference: {debs[0]} holds no boot/vmlinuz-*")
    return found[0], package


def static_busybox():
    """Debian's busybox-static binary (tools/deps.sh bench installs it)."""
    path = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(path):
        sys.exit("linux_reference: busybox is missing: apt-get install busybox-static")
    if "INTERP" in run(["readelf", "-l", path]):
        sys.exit(f"linux_reference: {path} is dynamically linked: apt-get install busybox-static")
    return path


def build_initramfs(out, busybox, ubench, extra=None):
    """A cpio newc archive: /init, /bin/busybox + applet links, /bin/ubench,
    and extra {path in archive: host file} entries."""
    with tempfile.TemporaryDirectory(prefix="linux-ref-root-") as root:
        for d in ("bin", "dev", "proc", "sys", "tmp", "root"):
            os.makedirs(os.path.join(root, d))
        shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
        for applet in APPLETS:
            os.symlink("busybox", os.path.join(root, "bin", applet))
        shutil.copy(ubench, os.path.join(root, "bin", "ubench"))
        for target, source in (extra or {}).items():
            dest = os.path.join(root, target.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(source, dest)
        with open(os.path.join(root, "init"), "w") as f:
            f.write(INIT_SCRIPT)
        os.chmod(os.path.join(root, "init"), 0o755)
        names = run(["find", ".", "-mindepth", "1"], cwd=root)
        with open(out, "wb") as f:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"], cwd=root, input=names.encode(),
                           stdout=f, check=True)
    return out


def build_probe(out_dir):
    """tools/handoff_probe.S assembled and wrapped as a minimal bzImage (Linux
    boot protocol 2.02: setup_sects=1, boot flag 0xAA55, "HdrS", version
    0x0202, LOADED_HIGH). The loader enters the setup code at offset 0x200;
    a short jump there leads to the probe at 0x240."""
    obj = os.path.join(out_dir, "probe.o")
    code = os.path.join(out_dir, "probe.bin")
    subprocess.run(["as", "--32", "-o", obj, os.path.join(HERE, "handoff_probe.S")], check=True)
    subprocess.run(["objcopy", "-O", "binary", "-j", ".text", obj, code], check=True)
    with open(code, "rb") as f:
        body = f.read()
    image = bytearray(1024 + 512)  # boot sector + 1 setup sector, then a dummy 32-bit part
    image[0x1F1] = 1  # setup_sects
    image[0x1FE:0x200] = b"\x55\xaa"
    image[0x200:0x202] = bytes([0xEB, 0x240 - 0x202])  # jmp short 0x240
    image[0x202:0x206] = b"HdrS"
    image[0x206:0x208] = (0x0202).to_bytes(2, "little")
    image[0x211] = 0x01  # loadflags: LOADED_HIGH
    image[0x240:0x240 + len(body)] = body
    path = os.path.join(out_dir, "handoff-probe.bzImage")
    with open(path, "wb") as f:
        f.write(image)
    return path


def qemu_linux(kernel, initrd, smp, icount=True, mem="512M", append=APPEND):
    return ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", str(smp),
            "-m", mem, *(ICOUNT if icount else []), "-nographic", "-monitor", "none", "-serial", "stdio",
            "-nic", "none", "-no-reboot", "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
            "-kernel", kernel, "-initrd", initrd, "-append", append]


class Guest:
    """A QEMU process whose serial console we read and type into."""

    def __init__(self, cmd, log_path):
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        os.set_blocking(self.process.stdout.fileno(), False)
        self.output = b""
        self.log_path = log_path

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = self.process.stdout.read()
            if chunk:
                self.output += chunk
                if m := pattern.search(self.output):
                    return m
            elif self.process.poll() is not None:
                if m := pattern.search(self.output):
                    return m
                break
            else:
                time.sleep(0.05)
        self.stop()
        tail = self.output.decode(errors="replace")[-3000:]
        sys.exit(f"linux_reference: no {pattern.pattern!r} on the serial console (log {self.log_path}):\n{tail}")

    def type(self, text):
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()
        with open(self.log_path, "wb") as f:
            f.write(self.output)


def boot_linux(vmlinuz, initramfs, probe, smp, ubench_args, timeout, logs):
    """One boot of Linux: (hand-off-to-prompt instructions, ubench output)."""
    guest = Guest(qemu_linux(probe, initramfs, smp), os.path.join(logs, "probe.log"))
    handoff = int(guest.wait_for(PROBE, 120).group(1), 16)
    guest.stop()

    guest = Guest(qemu_linux(vmlinuz, initramfs, smp), os.path.join(logs, "linux.log"))
    prompt = int(guest.wait_for(PROMPT, timeout).group(1))
    guest.type(f"/bin/ubench {ubench_args}; poweroff -f\n")
    guest.wait_for(re.compile(rb"ubench end status=\d+"), timeout)
    guest.stop()
    text = guest.output.decode(errors="replace").replace("\r", "")
    if "ubench error" in text:
        sys.exit("linux_reference: ubench failed in Linux:\n" + text[-2000:])
    return prompt - handoff, handoff, text


TIMING = re.compile(rb"timing: entry_tsc=(\d+) ready_tsc=(\d+)")
UBENCH_END = re.compile(rb"ubench end status=\d+")


def ours_esp(build, work, initramfs, cmdline):
    """A copy of the release kernel's ESP (build/esp: our loader and kernel)
    whose one limine.conf entry boots with `cmdline` and hands the kernel
    `initramfs` as the module it unpacks as the root (module_cmdline
    "initramfs": kernel/fs/fs.cpp), in place of the project's own
    boot/initramfs.cpio. Returns the disk image's path."""
    esp = os.path.join(work, "esp")
    shutil.copytree(os.path.join(build, "esp"), esp)
    own = os.path.join(esp, "boot", "initramfs.cpio")
    if os.path.exists(own):
        os.remove(own)
    shutil.copy(initramfs, os.path.join(esp, "boot", "reference.cpio"))
    with open(os.path.join(esp, "boot", "limine.conf"), "w") as f:
        f.write("timeout: 0\n\n/cxxkernel\n    protocol: limine\n    path: boot():/boot/kernel\n"
                f"    kernel_path: boot():/boot/kernel\n    cmdline: {cmdline}\n"
                "    module_path: boot():/boot/reference.cpio\n    module_cmdline: initramfs\n")
    image = os.path.join(work, "disk.img")
    subprocess.run([os.path.join(HERE, "make-disk-image.sh"), esp, image], check=True, stdout=subprocess.DEVNULL)
    return image


def run_ours(initramfs, ubench_args, smp, timeout, logs, build="build"):
    """Runs the benchmark in OUR kernel as boot_linux() does in Linux: the
    release kernel (build/esp, our loader, OVMF) in the same QEMU machine
    (the same -icount flags, -smp and -m 512M; q35), with the very same
    initramfs as its root and `init=/init`, so the same /init script starts
    the same shell with the same TSC-reading prompt; the harness types the
    same command. Returns (hand-off-to-prompt instructions, ubench's
    output): the hand-off is the prompt's TSC minus the kernel's entry TSC
    (entry.S records it; the kernel prints it in its `timing:` line), as
    the probe's TSC is Linux's entry (docs/benchmarks.md)."""
    sys.path.insert(0, HERE)
    import qemu
    with tempfile.TemporaryDirectory(prefix="ubench-ours-") as work:
        image = ours_esp(build, work, initramfs, "init=/init")
        cmd = qemu.qemu_command(image, qemu.fresh_vars(work), smp=smp, mem="512M", extra=ICOUNT)
        guest = Guest(cmd, os.path.join(logs, "ours.log"))
        entry = int(guest.wait_for(TIMING, timeout).group(1))
        prompt = int(guest.wait_for(PROMPT, timeout).group(1))
        guest.type(f"/bin/ubench {ubench_args}; poweroff -f\n")
        guest.wait_for(UBENCH_END, timeout)
        guest.stop()
    text = guest.output.decode(errors="replace").replace("\r", "")
    if "ubench error" in text:
        log("our kernel: ubench reported an error:\n" + text[-1500:])
    return prompt - entry, text


# `make run`'s machine (tools/qemu.py: q35, OVMF, TCG, 2 CPUs, 512M; no
# -icount) booting build/disk.img to the serial shell's prompt
# (rootfs/etc/profile's PS1), and Linux's reference in the same QEMU
# settings, also without -icount: wall time, noisy (the host's load).
OURS_SHELL_PROMPT = re.compile(rb"\[cxxkernel\] ~ # ")
WALL_SMP = 2
WALL_MEM = "512M"


LOADER_BANNER = re.compile(rb"cxxkernel-loader \S+ \(tsc=")


def wall_to_prompt(cmd, prompt, timeout, log_path, mark=None):
    """Seconds from starting QEMU (`cmd`) to `prompt` on its serial port,
    and to `mark` before it (None without one)."""
    start = time.monotonic()
    guest = Guest(cmd, log_path)
    marked = None
    if mark:
        guest.wait_for(mark, timeout)
        marked = time.monotonic() - start
    guest.wait_for(prompt, timeout)
    seconds = time.monotonic() - start
    guest.stop()
    return seconds, marked


def wall_ours(image, timeout, logs):
    """(to the prompt, to our loader's banner: OVMF's share), in seconds."""
    sys.path.insert(0, HERE)
    import qemu
    with tempfile.TemporaryDirectory(prefix="wall-ours-") as work:
        cmd = qemu.qemu_command(image, qemu.fresh_vars(work), smp=WALL_SMP, mem=WALL_MEM)
        return wall_to_prompt(cmd, OURS_SHELL_PROMPT, timeout, os.path.join(logs, "wall-ours.log"), LOADER_BANNER)


def wall_linux(vmlinuz, initramfs, timeout, logs):
    cmd = qemu_linux(vmlinuz, initramfs, WALL_SMP, icount=False, mem=WALL_MEM)
    return wall_to_prompt(cmd, PROMPT, timeout, os.path.join(logs, "wall-linux.log"))[0]


def parse(text):
    return {name: int(value) for name, value, _ in UBENCH_LINE.findall(text)}


def figure(value, unit=""):
    return "—" if value is None else (f"{value:.1f}{unit}" if isinstance(value, float) else f"{value:,}")


def ratio(mine, theirs):
    return f"{mine / theirs:.2f}" if mine is not None and theirs else "—"


def markdown(title, rows):
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [title]
    for i, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j])
                                       for j, c in enumerate(row)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 1) + ("-" if j == 0 else ":") for j, w in enumerate(widths)) + "|")
    return "\n".join(lines)


def table(linux, ours, linux_boot, ours_boot, package):
    """The instructions table; None (a side not run, or a row it lacks) is "—"."""
    rows = [("operation", "Linux 6.1", "ours", "ours/Linux")]
    for name, title in OPERATIONS:
        mine = ours.get(name) if ours else None
        theirs = linux.get(name) if linux else None
        rows.append((title, figure(theirs), figure(mine), ratio(mine, theirs)))
    rows.append(("kernel hand-off to first shell prompt", figure(linux_boot), figure(ours_boot),
                 ratio(ours_boot, linux_boot)))
    return markdown(f"Guest instructions per operation (QEMU -icount shift=0; median; Linux = Debian {package})",
                    rows)


def wall_table(linux_seconds, ours_seconds, ours_firmware, boots):
    """Wall time to the first prompt (medians in seconds; None: not
    measured); ours_firmware: the part before our loader's banner (OVMF)."""
    rows = [("wall time", "Linux 6.1", "ours", "ours/Linux"),
            ("QEMU start to the first shell prompt", figure(linux_seconds, " s"), figure(ours_seconds, " s"),
             ratio(ours_seconds, linux_seconds)),
            ("of which the firmware, up to our loader (OVMF)", "—", figure(ours_firmware, " s"), "—")]
    return markdown(f"Wall time, TCG without -icount, {WALL_SMP} CPUs, {WALL_MEM} (median of {boots}; ours = "
                    "make run's build/disk.img to busybox's prompt, Linux = the reference initramfs's prompt)", rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="the build directory (holds user/ubench)")
    # One CPU by default: under -icount QEMU 7.2 runs all vCPUs round-robin
    # in one thread, and Linux 6.1 never finishes bringing up a second CPU
    # there (the guest clock stops at "x86: Booting SMP configuration";
    # without -icount it boots). ubench then skips its cross-CPU rows.
    parser.add_argument("--smp", type=int, default=1, help="guest CPUs (see docs/benchmarks.md before raising it)")
    parser.add_argument("--runs", type=int, default=5, help="ubench runs per operation (the median is shown)")
    parser.add_argument("--boots", type=int, default=1, help="Linux boots (median of the hand-off figure)")
    parser.add_argument("--wall-boots", type=int, default=3,
                        help="boots of each kernel for the wall time to the prompt (0: not measured)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--only", help="comma-separated ubench operations")
    parser.add_argument("--ours-only", action="store_true", help="do not boot Linux (its column shows \"—\")")
    args = parser.parse_args()

    ubench = os.path.join(args.build, "user", "ubench")
    if not os.path.exists(ubench):
        sys.exit(f"linux_reference: {ubench} is missing: run make first")
    cache = os.path.join(args.build, "linux-ref")
    logs = os.path.join(cache, "logs")
    os.makedirs(logs, exist_ok=True)
    initramfs = build_initramfs(os.path.join(cache, "initramfs.cpio"), static_busybox(), ubench)
    ubench_args = f"--dir /tmp --runs {args.runs}" + (f" --only {args.only}" if args.only else "")

    linux, linux_boot, package, vmlinuz = None, None, "kernel not run", None
    if not args.ours_only:
        vmlinuz, package = debian_vmlinuz(cache)
        probe = build_probe(cache)
        boots = []
        for i in range(args.boots):
            log(f"booting {os.path.basename(vmlinuz)} ({i + 1}/{args.boots}); serial log in {logs}/linux.log")
            start = time.monotonic()
            boots.append(boot_linux(vmlinuz, initramfs, probe, args.smp, ubench_args, args.timeout, logs))
            log(f"Linux run took {time.monotonic() - start:.0f} s wall")
        linux_boot = int(statistics.median(b[0] for b in boots))
        linux = parse(boots[-1][2])
        if not linux:
            sys.exit("linux_reference: ubench printed no figures in Linux")
        for line in boots[-1][2].splitlines():
            if line.startswith("ubench "):
                log("linux " + line)

    log(f"booting our kernel ({args.build}/esp) with the same initramfs; serial log in {logs}/ours.log")
    start = time.monotonic()
    ours_boot, ours_text = run_ours(initramfs, ubench_args, args.smp, args.timeout, logs, args.build)
    log(f"our run took {time.monotonic() - start:.0f} s wall")
    ours = parse(ours_text)
    for line in ours_text.splitlines():
        if line.startswith("ubench "):
            log("ours " + line)

    walls_ours, walls_linux = [], []
    for i in range(args.wall_boots):
        log(f"wall time to the prompt ({i + 1}/{args.wall_boots})")
        walls_ours.append(wall_ours(os.path.join(args.build, "disk.img"), args.timeout, logs))
        if vmlinuz:
            walls_linux.append(wall_linux(vmlinuz, initramfs, args.timeout, logs))
    print(table(linux, ours, linux_boot, ours_boot, package))
    print(f"(ubench {ubench_args}; hand-off = prompt TSC - the kernel's entry TSC: Linux's entry by the probe, "
          "ours by entry.S)")
    if args.wall_boots:
        print()
        print(wall_table(statistics.median(walls_linux) if walls_linux else None,
                         statistics.median(w[0] for w in walls_ours), statistics.median(w[1] for w in walls_ours),
                         args.wall_boots))


if __name__ == "__main__":
    main()
