# Host unit tests of the loader's pure logic (config, ELF, requests, memory
# map, IOMMUs): one GoogleTest executable, run with ASan + UBSan.
add_host_test(loader_core_tests
  ${CMAKE_CURRENT_LIST_DIR}/config.cpp ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elf.cpp ${CMAKE_CURRENT_LIST_DIR}/elf_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/requests.cpp ${CMAKE_CURRENT_LIST_DIR}/requests_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memmap.cpp ${CMAKE_CURRENT_LIST_DIR}/memmap_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iommu.cpp ${CMAKE_CURRENT_LIST_DIR}/iommu_test.cpp)
# The test of the real kernel image looks for it next to the test binary's
# build tree (skipped when absent).
target_compile_definitions(loader_core_tests PRIVATE LOADER_CORE_KERNEL_ELF="${CMAKE_BINARY_DIR}/kernel.elf")
