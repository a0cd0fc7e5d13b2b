# Host unit tests of the shared ACPI parsers (lib/acpi): RSDP, RSDT/XSDT and
# the table directory, and the MADT, over a fake physical memory. The
# captured and iasl-built tables they read are in tests/data/acpi/.
add_host_test(lib_acpi_tests
  ${CMAKE_CURRENT_LIST_DIR}/tables.cpp
  ${CMAKE_CURRENT_LIST_DIR}/madt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tables_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/madt_test.cpp)
if(TARGET lib_acpi_tests)
  target_compile_definitions(lib_acpi_tests PRIVATE ACPI_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data/acpi")
endif()
