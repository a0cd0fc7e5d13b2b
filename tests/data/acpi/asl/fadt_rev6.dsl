/*
 * An ACPI 6 FADT (ACPI 6.5 §5.2.9, Table 5.9) shaped like a modern PC's:
 * 32-bit PM timer given only through X_PM_TMR_BLK, reset register in I/O
 * space (0xCF9 <- 0x06), 8042 present, VGA not present, CMOS century at
 * 0x32, SCI on IRQ 9, DSDT only through X_DSDT (at 0x100000, where
 * kernel/acpi/acpi_test.cpp places the DSDT).
 */
Signature : "FACP"
Table Length : 00000000
Revision : 06
Checksum : 00
Oem ID : "CXXK  "
Oem Table ID : "FADTREV6"
Oem Revision : 00000001
Asl Compiler ID : "INTL"
Asl Compiler Revision : 00000000

FACS Address : 00000000
DSDT Address : 00000000
Model : 00
PM Profile : 01
SCI Interrupt : 0009
SMI Command Port : 000000B2
ACPI Enable Value : F1
ACPI Disable Value : F0
S4BIOS Command : 00
P-State Control : 00
PM1A Event Block Address : 00000600
PM1B Event Block Address : 00000000
PM1A Control Block Address : 00000604
PM1B Control Block Address : 00000000
PM2 Control Block Address : 00000000
PM Timer Block Address : 00000000
GPE0 Block Address : 00000620
GPE1 Block Address : 00000000
PM1 Event Block Length : 04
PM1 Control Block Length : 02
PM2 Control Block Length : 00
PM Timer Block Length : 00
GPE0 Block Length : 10
GPE1 Block Length : 00
GPE1 Base Offset : 00
_CST Support : 00
C2 Latency : 0FFF
C3 Latency : 0FFF
CPU Cache Size : 0000
Cache Flush Stride : 0000
Duty Cycle Offset : 00
Duty Cycle Width : 00
RTC Day Alarm Index : 00
RTC Month Alarm Index : 00
RTC Century Index : 32
Boot Flags (decoded below) : 0006
    Legacy Devices Supported (V2) : 0
    8042 Present on ports 60/64 (V2) : 1
    VGA Not Present (V4) : 1
    MSI Not Supported (V4) : 0
    PCIe ASPM Not Supported (V4) : 0
    CMOS RTC Not Present (V5) : 0
Reserved : 00
Flags (decoded below) : 00000500
    WBINVD instruction is operational (V1) : 0
    WBINVD flushes all caches (V1) : 0
    All CPUs support C1 (V1) : 0
    C2 works on MP system (V1) : 0
    Control Method Power Button (V1) : 0
    Control Method Sleep Button (V1) : 0
    RTC wake not in fixed reg space (V1) : 0
    RTC can wake system from S4 (V1) : 0
    32-bit PM Timer (V1) : 1
    Docking Supported (V1) : 0
    Reset Register Supported (V2) : 1
    Sealed Case (V3) : 0
    Headless - No Video (V3) : 0
    Use native instr after SLP_TYPx (V3) : 0
    PCIEXP_WAK Bits Supported (V4) : 0
    Use Platform Timer (V4) : 0
    RTC_STS valid on S4 wake (V4) : 0
    Remote Power-on capable (V4) : 0
    Use APIC Cluster Model (V4) : 0
    Use APIC Physical Destination Mode (V4) : 0
    Hardware Reduced (V5) : 0
    Low Power S0 Idle (V5) : 0

Reset Register : [Generic Address Structure]
Space ID : 01
Bit Width : 08
Bit Offset : 00
Encoded Access Width : 01
Address : 0000000000000CF9

Value to cause reset : 06
ARM Flags (decoded below) : 0000
    PSCI Compliant : 0
    Must use HVC for PSCI : 0
FADT Minor Revision : 05
FACS Address : 0000000000000000
DSDT Address : 0000000000100000

PM1A Event Block : [Generic Address Structure]
Space ID : 01
Bit Width : 20
Bit Offset : 00
Encoded Access Width : 02
Address : 0000000000000600

PM1B Event Block : [Generic Address Structure]
Space ID : 01
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

PM1A Control Block : [Generic Address Structure]
Space ID : 01
Bit Width : 10
Bit Offset : 00
Encoded Access Width : 02
Address : 0000000000000604

PM1B Control Block : [Generic Address Structure]
Space ID : 01
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

PM2 Control Block : [Generic Address Structure]
Space ID : 01
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

PM Timer Block : [Generic Address Structure]
Space ID : 01
Bit Width : 20
Bit Offset : 00
Encoded Access Width : 03
Address : 0000000000000608

GPE0 Block : [Generic Address Structure]
Space ID : 01
Bit Width : 80
Bit Offset : 00
Encoded Access Width : 01
Address : 0000000000000620

GPE1 Block : [Generic Address Structure]
Space ID : 01
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

Sleep Control Register : [Generic Address Structure]
Space ID : 00
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

Sleep Status Register : [Generic Address Structure]
Space ID : 00
Bit Width : 00
Bit Offset : 00
Encoded Access Width : 00
Address : 0000000000000000

Hypervisor ID : 0000000000000000
