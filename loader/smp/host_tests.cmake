# Host unit tests of the SMP start-up's pure logic: TSC delay
# arithmetic, the CPU list, the response layout, the local APIC entry state,
# and the trampoline's parameter block (trampoline.S is assembled for the host too, so the offsets
# tested are the real ones).
add_host_test(loader_smp_tests
  ${CMAKE_CURRENT_LIST_DIR}/tsc_delay_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_list.cpp ${CMAKE_CURRENT_LIST_DIR}/cpu_list_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/response.cpp ${CMAKE_CURRENT_LIST_DIR}/response_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trampoline.cpp ${CMAKE_CURRENT_LIST_DIR}/trampoline.S
  ${CMAKE_CURRENT_LIST_DIR}/entry_lapic.cpp ${CMAKE_CURRENT_LIST_DIR}/entry_lapic_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trampoline_test.cpp)
