# Host unit tests of kernel/arch/x86_64: descriptor and gate encoding, error
# code decoding, the stack-overflow test, the per-CPU offset table (pure
# constexpr headers).
add_host_test(arch_tests
  ${CMAKE_CURRENT_LIST_DIR}/descriptors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exception_info_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/percpu_areas_test.cpp)
