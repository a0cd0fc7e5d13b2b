/*
 * A small DSDT for the table-directory tests: it only has to be a valid
 * AML definition block the FADT's X_DSDT points at. The \_S5 package is what
 * a later AML interpreter would look up for soft-off.
 */
DefinitionBlock ("", "DSDT", 2, "CXXK  ", "TESTDSDT", 0x00000001)
{
    Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
        }
    }
}
