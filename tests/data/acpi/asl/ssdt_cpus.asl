/* The first of two SSDTs: processor objects (found as table_bytes("SSDT", 0)). */
DefinitionBlock ("", "SSDT", 2, "CXXK  ", "SSDTCPUS", 0x00000001)
{
    Scope (\_SB)
    {
        Device (CPU0)
        {
            Name (_HID, "ACPI0007")
            Name (_UID, Zero)
        }
        Device (CPU1)
        {
            Name (_HID, "ACPI0007")
            Name (_UID, One)
        }
    }
}
