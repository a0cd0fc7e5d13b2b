# Host unit tests of kernel/time: the calibration and conversion arithmetic.
add_host_test(time_tests
  ${CMAKE_CURRENT_LIST_DIR}/calibration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibration_test.cpp)

# I/O APIC routing (kernel/arch/x86_64/irq_routing.*, io_apic_registers.hpp):
# ISA IRQ resolution through MADT overrides and the redirection entry
# encoding. Listed here because the arch folder's list belongs to another
# part of the tree; it may move to kernel/arch/x86_64/host_tests.cmake.
add_host_test(irq_routing_tests
  ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/irq_routing.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/madt.cpp
  ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/irq_routing_test.cpp)
