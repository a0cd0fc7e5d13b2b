/* The second SSDT (table_bytes("SSDT", 1)): one integer object. */
DefinitionBlock ("", "SSDT", 2, "CXXK  ", "SSDTXTRA", 0x00000002)
{
    Name (\XTRA, 0x2A)
}
