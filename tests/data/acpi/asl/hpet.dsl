/* An HPET table (IA-PC HPET Specification 1.0a, Table 3): 8 comparators,
   64-bit counter, legacy replacement capable, vendor 0x8086, 4 KiB pages. */
Signature : "HPET"
Table Length : 00000000
Revision : 01
Checksum : 00
Oem ID : "CXXK  "
Oem Table ID : "HPETTEST"
Oem Revision : 00000001
Asl Compiler ID : "INTL"
Asl Compiler Revision : 00000000

Hardware Block ID : 8086A701

Timer Block Register : [Generic Address Structure]
Space ID : 00
Bit Width : 40
Bit Offset : 00
Encoded Access Width : 00
Address : 00000000FED00000

Sequence Number : 00
Minimum Clock Ticks : 37EE
Flags (decoded below) : 01
    4K Page Protect : 1
    64K Page Protect : 0
