# Host unit tests of kernel/arch/x86_64: descriptor and gate encoding, error
# code decoding, the stack-overflow test, APIC and PIC register values (pure
# constexpr headers).
add_host_test(arch_tests
  ${CMAKE_CURRENT_LIST_DIR}/descriptors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exception_info_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/apic_registers_test.cpp)

# I/O APIC routing: ISA IRQ resolution through the MADT's overrides and the
# redirection entry encoding (irq_routing.*, io_apic_registers.hpp).
add_host_test(irq_routing_tests
  ${CMAKE_CURRENT_LIST_DIR}/irq_routing.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/madt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/irq_routing_test.cpp)
