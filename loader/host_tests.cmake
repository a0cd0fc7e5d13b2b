# Host unit tests of the loader's pure logic (page-table building, HHDM
# planning, calendar conversion).
add_host_test(loader_paging_tests
  ${CMAKE_CURRENT_LIST_DIR}/paging.cpp ${CMAKE_CURRENT_LIST_DIR}/paging_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boot_time.cpp ${CMAKE_CURRENT_LIST_DIR}/boot_time_test.cpp)
add_host_test(loader_ioapic_tests
  ${CMAKE_CURRENT_LIST_DIR}/ioapic.cpp ${CMAKE_CURRENT_LIST_DIR}/ioapic_test.cpp)
# The loader's MADT reading goes through lib/acpi (tested there); the CPU list
# built from it is tested in smp/.
add_host_test(loader_gdt_tests ${CMAKE_CURRENT_LIST_DIR}/gdt.cpp ${CMAKE_CURRENT_LIST_DIR}/gdt_test.cpp)
add_host_test(loader_pixel_format_tests
  ${CMAKE_CURRENT_LIST_DIR}/pixel_format.cpp ${CMAKE_CURRENT_LIST_DIR}/pixel_format_test.cpp)
add_host_test(loader_paths_tests ${CMAKE_CURRENT_LIST_DIR}/paths.cpp ${CMAKE_CURRENT_LIST_DIR}/paths_test.cpp)
add_host_test(loader_kaslr_tests ${CMAKE_CURRENT_LIST_DIR}/kaslr.cpp ${CMAKE_CURRENT_LIST_DIR}/kaslr_test.cpp)
