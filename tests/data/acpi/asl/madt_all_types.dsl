/*
 * A MADT (ACPI 6.5 §5.2.12) with one or more entries of every type the
 * kernel decodes, plus one it does not know (a GIC MSI frame, type 0x0D),
 * for kernel/acpi/acpi_test.cpp. Compile with tests/data/acpi/asl/build.sh.
 */
Signature : "APIC"
Table Length : 00000000
Revision : 05
Checksum : 00
Oem ID : "CXXK  "
Oem Table ID : "ALLTYPES"
Oem Revision : 00000001
Asl Compiler ID : "INTL"
Asl Compiler Revision : 00000000

Local Apic Address : FEE00000
Flags (decoded below) : 00000001
    PC-AT Compatibility : 1

/* CPU 0: enabled */
Subtable Type : 00
Length : 08
Processor ID : 00
Local Apic ID : 00
Flags (decoded below) : 00000001
    Processor Enabled : 1
    Runtime Online Capable : 0

/* CPU 1: not enabled but online capable (hot-pluggable) */
Subtable Type : 00
Length : 08
Processor ID : 01
Local Apic ID : 02
Flags (decoded below) : 00000002
    Processor Enabled : 0
    Runtime Online Capable : 1

/* CPU 2: disabled for good */
Subtable Type : 00
Length : 08
Processor ID : 02
Local Apic ID : 04
Flags (decoded below) : 00000000
    Processor Enabled : 0
    Runtime Online Capable : 0

/* CPU 3: an x2APIC ID above 255 */
Subtable Type : 09
Length : 10
Reserved : 0000
Processor x2Apic ID : 00000100
Flags (decoded below) : 00000001
    Processor Enabled : 1
Processor UID : 00000003

Subtable Type : 01
Length : 0C
I/O Apic ID : 00
Reserved : 00
Address : FEC00000
Interrupt : 00000000

Subtable Type : 01
Length : 0C
I/O Apic ID : 01
Reserved : 00
Address : FEC01000
Interrupt : 00000018

/* IRQ 0 (PIT) on GSI 2, as on every PC */
Subtable Type : 02
Length : 0A
Bus : 00
Source : 00
Interrupt : 00000002
Flags (decoded below) : 0000
    Polarity : 0
    Trigger Mode : 0

/* IRQ 9 (SCI): active high, level */
Subtable Type : 02
Length : 0A
Bus : 00
Source : 09
Interrupt : 00000009
Flags (decoded below) : 000D
    Polarity : 1
    Trigger Mode : 3

/* IRQ 11 moved to GSI 30 on the second I/O APIC: active low, level */
Subtable Type : 02
Length : 0A
Bus : 00
Source : 0B
Interrupt : 0000001E
Flags (decoded below) : 000F
    Polarity : 3
    Trigger Mode : 3

Subtable Type : 03
Length : 08
Flags (decoded below) : 0005
    Polarity : 1
    Trigger Mode : 1
Interrupt : 00000017

/* NMI on LINT1 of every processor (UID 0xFF) */
Subtable Type : 04
Length : 06
Processor ID : FF
Flags (decoded below) : 0005
    Polarity : 1
    Trigger Mode : 1
Interrupt Input LINT : 01

Subtable Type : 0A
Length : 0C
Flags (decoded below) : 0000
    Polarity : 0
    Trigger Mode : 0
Processor UID : FFFFFFFF
Interrupt Input LINT : 01
Reserved : 000000

Subtable Type : 05
Length : 0C
Reserved : 0000
APIC Address : 00000000FEE10000

/* An entry type this kernel does not decode: must be skipped */
Subtable Type : 0D
Length : 18
Reserved : 0000
MSI Frame ID : 00000000
Base Address : 0000000000000000
Flags (decoded below) : 00000000
    Select SPI : 0
SPI Count : 0000
SPI Base : 0000
