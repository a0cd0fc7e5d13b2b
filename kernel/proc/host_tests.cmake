# Host unit tests of the process layer's pure parts (kernel/proc).
add_host_test(proc_signal_tests ${CMAKE_CURRENT_LIST_DIR}/signal_state_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_state.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_frame_test.cpp ${CMAKE_CURRENT_LIST_DIR}/signal_frame.cpp
              ${CMAKE_CURRENT_LIST_DIR}/signal_restart_test.cpp)
add_host_test(proc_futex_tests ${CMAKE_CURRENT_LIST_DIR}/futex_table_test.cpp ${CMAKE_CURRENT_LIST_DIR}/futex_ops.cpp
              ${CMAKE_CURRENT_LIST_DIR}/futex_call_test.cpp ${CMAKE_CURRENT_LIST_DIR}/futex_call.cpp)
add_host_test(proc_timer_tests ${CMAKE_CURRENT_LIST_DIR}/interval_timer_test.cpp ${CMAKE_CURRENT_LIST_DIR}/interval_timer.cpp)
add_host_test(proc_fault_signal_tests ${CMAKE_CURRENT_LIST_DIR}/fault_signals_test.cpp)
add_host_test(proc_clone_tests ${CMAKE_CURRENT_LIST_DIR}/clone_args_test.cpp ${CMAKE_CURRENT_LIST_DIR}/clone_args.cpp)

# Host unit tests of exec's pure parts (kernel/proc/exec*, elf_*): #! scripts,
# argument limits, ELF loading into a vm::AddressSpace over simulated
# memory, a fuzz loop, and the initial stack compared byte for byte with
# what the host's Linux builds for a static program of ours.
set(STACK_DUMP ${CMAKE_BINARY_DIR}/testdata/stack_dump)
add_custom_command(OUTPUT ${STACK_DUMP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/testdata
  COMMAND gcc -static -O1 -o ${STACK_DUMP} ${CMAKE_CURRENT_LIST_DIR}/testdata/stack_dump.c
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/testdata/stack_dump.c
  COMMENT "Building the static stack_dump test program")
add_custom_target(exec_testdata DEPENDS ${STACK_DUMP})

include(${PROJECT_SOURCE_DIR}/kernel/vm/host_sources.cmake)
add_host_test(exec_tests ${VM_SOURCES}
  ${CMAKE_CURRENT_LIST_DIR}/exec_arguments.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_script.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elf_program.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elf_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_stack.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_stack_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_linux_differential_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_host_program_test.cpp)
add_dependencies(exec_tests exec_testdata)
target_compile_definitions(exec_tests PRIVATE STACK_DUMP_PATH="${STACK_DUMP}")
