# Host unit tests of the kernel's ACPI tables: FADT, HPET, MCFG and the
# whole platform (pure logic over a fake physical memory, with the shared
# RSDP/XSDT and MADT parsers of lib/acpi). The tables they read live in
# tests/data/acpi/: captured from QEMU (capture.py) and compiled from ASL with iasl (asl/build.sh; the .aml
# outputs are committed, so building the tests does not need iasl).
add_host_test(acpi_tests
  ${PROJECT_SOURCE_DIR}/lib/acpi/tables.cpp
  ${PROJECT_SOURCE_DIR}/lib/acpi/madt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/generic_address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fadt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hpet.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mcfg.cpp
  ${CMAKE_CURRENT_LIST_DIR}/platform.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sleep_type.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sleep_type_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fixed_tables_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/captured_tables_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_test.cpp)
if(TARGET acpi_tests)
  target_compile_definitions(acpi_tests PRIVATE ACPI_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data/acpi")
endif()

# With iasl installed (Debian: acpica-tools), also check that the committed
# .aml files still match their sources.
find_program(IASL iasl)
find_package(Python3 COMPONENTS Interpreter)
if(IASL AND Python3_Interpreter_FOUND)
  add_test(NAME host.acpi_aml_matches_sources
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/data/acpi/asl/check_aml.py ${IASL})
  set_tests_properties(host.acpi_aml_matches_sources PROPERTIES LABELS host)
endif()
