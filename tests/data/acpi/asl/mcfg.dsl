/* An MCFG (PCI Firmware Specification 3.2, Table 4-3) with two segments. */
Signature : "MCFG"
Table Length : 00000000
Revision : 01
Checksum : 00
Oem ID : "CXXK  "
Oem Table ID : "MCFGTEST"
Oem Revision : 00000001
Asl Compiler ID : "INTL"
Asl Compiler Revision : 00000000

Reserved : 0000000000000000

Base Address : 00000000B0000000
Segment Group Number : 0000
Start Bus Number : 00
End Bus Number : FF
Reserved : 00000000

Base Address : 0000004000000000
Segment Group Number : 0001
Start Bus Number : 10
End Bus Number : 1F
Reserved : 00000000
