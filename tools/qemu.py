#!/usr/bin/env python3
"""Boot the project's disk image in QEMU: the one place that knows the QEMU
command line, used by `make run`, `make debug`, `make screenshot` and the
scenario tests (tests/scenario/run.py imports this module).

The machine is the one the design names: q35, OVMF (Debian's `ovmf`
package, with a fresh copy of the variable store for every boot),
isa-debug-exit on port 0xf4, serial on stdio, -no-reboot, TCG by default
(KVM only on request: /dev/kvm here fails on firmware code).
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# isa-debug-exit: a write of v to port 0xf4 makes QEMU exit with (v << 1) | 1.
DEBUG_EXIT_PORT = 0xF4
EXIT_PASS = (0x10 << 1) | 1  # 33: the kernel wrote 0x10 (tests passed)
EXIT_FAIL = (0x11 << 1) | 1  # 35: the kernel wrote 0x11 (test failed / panic)


def qemu_command(image, vars_file, smp=2, mem="512M", kvm=False, display=False,
                 cpu="max", machine="q35", monitor=None, gdb=False, extra=(), interactive=False):
    """Returns the argument list for one boot of `image`. `interactive`
    (make run): the serial port on the terminal with Ctrl-C going to the
    guest's shell, and QEMU's monitor multiplexed there (Ctrl-A x quits,
    Ctrl-A c switches to the monitor and back)."""
    for path in (OVMF_CODE, OVMF_VARS):
        if not os.path.exists(path):
            sys.exit(f"qemu.py: {path} is missing: apt-get install ovmf")
    cmd = [
        "qemu-system-x86_64",
        "-machine", machine,
        "-accel", "kvm" if kvm else "tcg",
        "-cpu", "host" if kvm else cpu,
        "-smp", str(smp),
        "-m", str(mem),
        "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,unit=1,file={vars_file}",
        # snapshot=on: the image is opened read-only and writes go to a
        # temporary overlay, so several QEMUs (parallel tests, `make run`
        # beside `make screenshot`) can boot the same image at once.
        "-drive", f"format=raw,file={image},snapshot=on",
        # No network card: OVMF would otherwise try PXE before the disk.
        "-nic", "none",
        "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
    ] + (["-chardev", "stdio,id=console,mux=on,signal=off", "-serial", "chardev:console",
          "-mon", "chardev=console,mode=readline"] if interactive else ["-serial", "stdio"]) + [
        "-no-reboot",
    ]
    if not display:
        cmd += ["-display", "none"]
    if monitor:
        cmd += ["-monitor", f"unix:{monitor},server,nowait"]
    if gdb:
        cmd += ["-s", "-S"]
    cmd += list(extra)
    return cmd


# Typing on the PS/2 keyboard through the monitor's sendkey: the key names
# (QEMU's QKeyCodes) that type a text on a US layout.
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
           "_": "minus", "+": "equal", "{": "bracket_left", "}": "bracket_right", "|": "backslash",
           ":": "semicolon", '"': "apostrophe", "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash"}
UNSHIFTED = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
             "\\": "backslash", ";": "semicolon", "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot",
             "/": "slash"}


def key_names(text):
    names = []
    for c in text:
        if c in SHIFTED:
            names.append("shift-" + SHIFTED[c])
        elif c in UNSHIFTED:
            names.append(UNSHIFTED[c])
        elif c.isupper():
            names.append("shift-" + c.lower())
        elif c.isalnum():
            names.append(c)
        else:
            raise ValueError(f"key_names(): no key for {c!r}")
    return names


def fresh_vars(directory):
    """A writable copy of the OVMF variable store, so boots never share state."""
    path = os.path.join(directory, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, path)
    return path


class Monitor:
    """A minimal client of QEMU's human monitor on a unix socket."""

    def __init__(self, path, timeout=90.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._read_until_prompt()

    def _read_until_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace")

    def command(self, text):
        self.sock.sendall(text.encode() + b"\n")
        return self._read_until_prompt()

    def close(self):
        self.sock.close()


def read_ppm(ppm_path):
    """QEMU's binary PPM screendump as (width, height, RGB bytes)."""
    with open(ppm_path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6":
        raise ValueError("not a binary PPM")
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos:pos + width * height * 3]


def ppm_to_png(ppm_path, png_path):
    """Converts QEMU's binary PPM screendump to PNG with the standard library."""
    width, height, pixels = read_ppm(ppm_path)
    # A console that drew nothing is a failure, not a picture: count the
    # pixels that differ from the first (background) pixel.
    background = pixels[0:3]
    lit = sum(1 for i in range(0, len(pixels), 3 * 7) if pixels[i:i + 3] != background)
    if lit * 7 < width * height // 1000:
        raise SystemExit(f"qemu.py: the framebuffer is blank ({width}x{height}, {lit} lit samples)")
    raw = b"".join(b"\x00" + pixels[y * width * 3:(y + 1) * width * 3] for y in range(height))

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(png_path, "wb") as f:
        f.write(png)


def image_with_cmdline(esp, cmdline, tmp):
    """A disk image of `esp` whose limine.conf entries boot with `cmdline`."""
    if not esp or not os.path.isdir(esp):
        sys.exit("qemu.py: --cmdline needs --esp pointing at the build's esp/ tree")
    copy = os.path.join(tmp, "esp")
    shutil.copytree(esp, copy)
    conf = os.path.join(copy, "boot", "limine.conf")
    with open(conf) as f:
        lines = [line for line in f.read().splitlines()
                 if not line.strip().lower().startswith(("cmdline:", "kernel_cmdline:"))]
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("/"):
            out.append(f"    cmdline: {cmdline}")
    with open(conf, "w") as f:
        f.write("\n".join(out) + "\n")
    image = os.path.join(tmp, "disk.img")
    tools = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([os.path.join(tools, "make-disk-image.sh"), copy, image], check=True)
    return image


def bench_boot(esp, cmdline, pattern, cpus, timeout, who):
    """Boots `esp` with `cmdline` under -icount shift=0 (guest time advances
    with executed instructions: docs/architecture.md §6) until the console
    shows the bytes regex `pattern`; returns its groups as integers, or
    exits naming `who` with the console's tail."""
    with tempfile.TemporaryDirectory(prefix=f"{who}-") as tmp:
        image = image_with_cmdline(esp, cmdline, tmp)
        vars_file = fresh_vars(tmp)
        cmd = qemu_command(image, vars_file, smp=cpus, mem="256M", extra=["-icount", "shift=0,align=off,sleep=off"])
        start = time.monotonic()
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        os.set_blocking(process.stdout.fileno(), False)
        output = b""
        while time.monotonic() - start < timeout:
            chunk = process.stdout.read()
            if chunk:
                output += chunk
            if pattern.search(output) or process.poll() is not None:
                break
            time.sleep(0.05)
        process.kill()
        process.wait()
    match = pattern.search(output)
    if not match:
        tail = output.decode(errors="replace")[-2000:]
        sys.exit(f"{who}: no bench line with {cpus} CPUs:\n{tail}")
    return [int(value) for value in match.groups()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["run", "debug", "screenshot"])
    parser.add_argument("--image", required=True)
    parser.add_argument("--smp", default="2")
    parser.add_argument("--mem", default="512M")
    parser.add_argument("--kvm", action="store_true", help="use KVM instead of TCG")
    parser.add_argument("--esp", help="ESP tree the image was made from (needed with --cmdline)")
    parser.add_argument("--cmdline", help="boot with this kernel command line instead of boot/limine.conf's")
    parser.add_argument("--kernel-elf", help="kernel ELF with symbols, for debug")
    parser.add_argument("--out", default="docs/screenshot.png", help="screenshot output (PNG)")
    parser.add_argument("--wait-for", default="kernel: ready", help="screenshot: serial line to wait for")
    parser.add_argument("--type", help="screenshot: text to type on the keyboard (\\n for Enter) once --wait-for appeared")
    parser.add_argument("--screen-has", help="screenshot: with --type, the regex the screen's text must match first")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--serial-log", help="screenshot: also save the serial output here")
    parser.add_argument("--batch", action="store_true", help="debug: check that GDB stops at kernel_main, then quit")
    args = parser.parse_args()

    if not os.path.exists(args.image):
        sys.exit(f"qemu.py: no disk image at {args.image}: run make first")

    with tempfile.TemporaryDirectory(prefix="cxxkernel-qemu-") as tmp:
        if args.cmdline is not None:
            args.image = image_with_cmdline(args.esp, args.cmdline, tmp)
        vars_file = fresh_vars(tmp)
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if args.action == "run":
            cmd = qemu_command(args.image, vars_file, args.smp, args.mem, args.kvm, display=has_display,
                               interactive=True)
            print(" ".join(cmd), file=sys.stderr)
            code = subprocess.call(cmd)
            # The kernel's success exit (0x10) is QEMU status 33: report it as success.
            sys.exit(0 if code in (0, EXIT_PASS) else code)
        if args.action == "debug":
            # Headless in batch mode (the CTest check), a window otherwise.
            cmd = qemu_command(args.image, vars_file, args.smp, args.mem, args.kvm,
                               display=has_display and not args.batch, gdb=True)
            print(" ".join(cmd), file=sys.stderr)
            qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL if args.batch else None)
            gdb = shutil.which("gdb-multiarch") or shutil.which("gdb")
            if not gdb:
                qemu.terminate()
                sys.exit("qemu.py: gdb is missing: apt-get install gdb")
            gdb_cmd = [gdb, "-nx", "-q",
                       "-ex", "set architecture i386:x86-64",
                       "-ex", f"file {args.kernel_elf or 'build/kernel.elf'}",
                       "-ex", "target remote localhost:1234",
                       "-ex", "hbreak kernel_main",
                       "-ex", "continue"]
            if args.batch:
                # The check `make test` runs: the breakpoint on kernel_main is hit.
                gdb_cmd[1:1] = ["-batch"]
                gdb_cmd += ["-ex", "bt 2", "-ex", "kill"]
            try:
                if args.batch:
                    result = subprocess.run(gdb_cmd, capture_output=True, text=True, timeout=args.timeout)
                    print(result.stdout + result.stderr)
                    hit = re.search(r"Breakpoint 1, kernel_main \(\)", result.stdout)
                    sys.exit(0 if hit else "qemu.py: GDB did not stop at kernel_main")
                subprocess.call(gdb_cmd)
            finally:
                qemu.kill()
                qemu.wait()
            return
        # screenshot: boot headless, wait for the ready line, dump the screen.
        monitor_path = os.path.join(tmp, "monitor.sock")
        cmd = qemu_command(args.image, vars_file, args.smp, args.mem, args.kvm, monitor=monitor_path)
        qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        os.set_blocking(qemu.stdout.fileno(), False)
        try:
            monitor = Monitor(monitor_path)
        except OSError:
            qemu.kill()
            sys.exit("qemu.py: QEMU's monitor did not answer:\n" + (qemu.stdout.read() or b"").decode(errors="replace"))
        serial = b""
        deadline = time.monotonic() + args.timeout

        def wait_for(pattern, start=0):
            """Reads the serial port until `pattern` appears after byte `start`."""
            nonlocal serial
            regex = re.compile(pattern.encode(), re.M)
            while not regex.search(serial, start):
                if time.monotonic() > deadline or qemu.poll() is not None:
                    qemu.kill()
                    sys.stdout.write(serial.decode(errors="replace"))
                    sys.exit(f"qemu.py: '{pattern}' did not appear on serial")
                chunk = qemu.stdout.read()
                if chunk:
                    serial += chunk
                time.sleep(0.1)

        wait_for(re.escape(args.wait_for))
        time.sleep(1.0)  # let the framebuffer console finish drawing
        if args.type:
            # Typed on the PS/2 keyboard, so into tty1's shell (docs/tty.md
            # "tty1"); then the screen's text is asked for (Ctrl+Alt+F11
            # writes it to the serial port) until it shows what was
            # asked for: the commands have run and the screen is drawn.
            for name in key_names(args.type.replace("\\n", "\n")):
                monitor.command(f"sendkey {name}")
                # After Enter, time for the command to run: keys typed
                # meanwhile would be echoed by the line discipline in
                # the middle of its output.
                time.sleep(2.0 if name == "ret" else 0.15)
            while True:
                start = len(serial)
                monitor.command("sendkey ctrl-alt-f11")
                wait_for(r"^screen: end", start)
                dumped = serial[start:].decode(errors="replace")
                if not args.screen_has or re.search(args.screen_has, dumped, re.M):
                    break
                time.sleep(2.0)
        ppm = os.path.join(tmp, "screen.ppm")
        monitor.command(f"screendump {ppm}")
        monitor.command("quit")
        qemu.wait(timeout=30)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        ppm_to_png(ppm, args.out)
        print(f"qemu.py: framebuffer saved to {args.out}")
        if serial_log := args.serial_log:
            with open(serial_log, "wb") as f:
                f.write(serial)


if __name__ == "__main__":
    main()
