/*
 * A hostile MCFG for the scenario "acpi_hostile_mcfg": QEMU's pc machine has
 * no MCFG of its own, so `-machine pc -acpitable file=bad_mcfg.aml` makes
 * this the one the kernel parses. QEMU (and OVMF) recompute the checksum, so
 * the damage is in the content: a base that is not 1 MiB aligned, an inverted
 * bus range, and one good range that must survive.
 */
Signature : "MCFG"
Table Length : 00000000
Revision : 01
Checksum : 00
Oem ID : "CXXK  "
Oem Table ID : "BADMCFG "
Oem Revision : 00000001
Asl Compiler ID : "INTL"
Asl Compiler Revision : 00000000

Reserved : 0000000000000000

Base Address : 00000000B0001000
Segment Group Number : 0000
Start Bus Number : 00
End Bus Number : FF
Reserved : 00000000

Base Address : 00000000C0000000
Segment Group Number : 0001
Start Bus Number : 20
End Bus Number : 10
Reserved : 00000000

Base Address : 00000000E0000000
Segment Group Number : 0002
Start Bus Number : 00
End Bus Number : 0F
Reserved : 00000000
