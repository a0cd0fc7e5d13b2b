# Host unit tests of kernel/irq: ISA IRQ resolution through the MADT's
# overrides (irq_routing.*), over the shared MADT parser.
add_host_test(irq_routing_tests
  ${CMAKE_CURRENT_LIST_DIR}/irq_routing.cpp
  ${PROJECT_SOURCE_DIR}/lib/acpi/madt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/irq_routing_test.cpp)
