#!/usr/bin/env python3
"""Captures the ACPI tables a QEMU machine (under OVMF) really hands to an OS,
for the host tests in kernel/acpi/. No kernel is involved: QEMU boots OVMF
with no disk, and once the firmware has installed its tables (it does so in
DXE, long before the boot manager gives up on the missing disk) the monitor's
`pmemsave` writes guest RAM to a file. The RSDP is found by its signature and
checksum, then the RSDT/XSDT, each table, the FADT's FACS and DSDT are copied
out, one file per table, plus `manifest.txt` ("<physical address> <file>")
so a test can rebuild a fake physical memory with every table where it was.

Usage: capture.py <machine> <smp> <out-dir>   e.g. capture.py q35 2 tests/data/acpi/q35
CAPTURE_DEBUG=1 shows the monitor's replies; CAPTURE_WAIT=<s> the boot wait.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
MEMORY_MIB = 128


def monitor_command(sock, text):
    sock.sendall(text.encode() + b"\n")
    data = b""
    while not data.endswith(b"(qemu) "):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    if os.environ.get("CAPTURE_DEBUG"):
        sys.stderr.write(data.decode(errors="replace")[-200:] + "\n")
    return data


def dump_guest_ram(machine, smp, tmp):
    vars_file = os.path.join(tmp, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_file)
    monitor = os.path.join(tmp, "monitor.sock")
    ram = os.path.join(tmp, "ram.bin")
    cmd = ["qemu-system-x86_64", "-machine", machine, "-accel", "tcg", "-cpu", "max", "-smp", str(smp),
           "-m", f"{MEMORY_MIB}M", "-display", "none", "-nic", "none", "-serial", "null",
           "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,unit=1,file={vars_file}",
           "-monitor", f"unix:{monitor},server,nowait"]
    qemu = subprocess.Popen(cmd)
    try:
        for _ in range(100):
            if os.path.exists(monitor):
                break
            time.sleep(0.1)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(monitor)
        monitor_command(sock, "")
        # OVMF under TCG: the tables are in place after a few seconds.
        time.sleep(int(os.environ.get("CAPTURE_WAIT", "25")))
        monitor_command(sock, "stop")
        monitor_command(sock, f"pmemsave 0 {MEMORY_MIB << 20} \"{ram}\"")
        monitor_command(sock, "quit")
        qemu.wait(timeout=30)
    finally:
        if qemu.poll() is None:
            qemu.kill()
    with open(ram, "rb") as f:
        return f.read()


def checksum_ok(data):
    return sum(data) & 0xFF == 0


def find_rsdp(ram):
    """The RSDP a UEFI OS gets (the ACPI 2.0 configuration table): OVMF also
    leaves an ACPI 1.0 copy, so prefer a valid revision 2 structure."""
    found = []
    at = ram.find(b"RSD PTR ")
    while at >= 0:
        if checksum_ok(ram[at:at + 20]):
            revision = ram[at + 15]
            length, = struct.unpack_from("<I", ram, at + 20)
            if revision < 2 or checksum_ok(ram[at:at + length]):
                found.append((revision, at))
        at = ram.find(b"RSD PTR ", at + 1)
    if not found:
        sys.exit("capture.py: no RSDP in guest RAM")
    print("RSDPs found:", ", ".join(f"rev {r} at {a:#x}" for r, a in found))
    return max(found)[1]


def table_at(ram, address):
    length, = struct.unpack_from("<I", ram, address + 4)
    return ram[address:address + length]


def main():
    machine, smp, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="acpi-capture-") as tmp:
        ram = dump_guest_ram(machine, smp, tmp)
    os.makedirs(out, exist_ok=True)
    rsdp = find_rsdp(ram)
    revision = ram[rsdp + 15]
    rsdp_length = struct.unpack_from("<I", ram, rsdp + 20)[0] if revision >= 2 else 20
    files = [(rsdp, "RSDP", ram[rsdp:rsdp + rsdp_length])]
    roots = []
    rsdt, = struct.unpack_from("<I", ram, rsdp + 16)
    if rsdt:
        roots.append((rsdt, 4))
    if revision >= 2:
        xsdt, = struct.unpack_from("<Q", ram, rsdp + 24)
        if xsdt:
            roots.append((xsdt, 8))
    seen = {}
    for root, entry_size in roots:
        data = table_at(ram, root)
        seen[root] = data
        for offset in range(36, len(data), entry_size):
            address = int.from_bytes(data[offset:offset + entry_size], "little")
            seen[address] = table_at(ram, address)
    for address, data in list(seen.items()):
        if data[:4] == b"FACP":
            facs, dsdt = struct.unpack_from("<II", data, 36)
            if len(data) >= 148:
                x_facs, x_dsdt = struct.unpack_from("<QQ", data, 132)
                facs, dsdt = x_facs or facs, x_dsdt or dsdt
            if facs:
                seen[facs] = table_at(ram, facs)
            if dsdt:
                seen[dsdt] = table_at(ram, dsdt)
    counts = {}
    for address, data in sorted(seen.items()):
        signature = data[:4].decode("ascii", errors="replace")
        index = counts.get(signature, 0)
        counts[signature] = index + 1
        files.append((address, signature if index == 0 else f"{signature}{index}", data))
    with open(os.path.join(out, "manifest.txt"), "w") as manifest:
        manifest.write(f"# QEMU {machine} -smp {smp} under OVMF, captured by tests/data/acpi/capture.py\n")
        for address, name, data in files:
            with open(os.path.join(out, f"{name}.bin"), "wb") as f:
                f.write(data)
            manifest.write(f"{address:#x} {name}.bin\n")
            print(f"{address:#010x} {name:6} {len(data)} bytes")


if __name__ == "__main__":
    main()
