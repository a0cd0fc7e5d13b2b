# Scenario tests: whole boots of QEMU/OVMF under TCG, one CTest test each.
# The scenarios are listed in tests/scenario/scenarios.py (name, machine
# shape, command line, config, expected exit and serial lines);
# tests/scenario/run.py builds each variant's disk image and checks the boot.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(SCENARIO_RUNNER ${PROJECT_SOURCE_DIR}/tests/scenario/run.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${SCENARIO_RUNNER} --list
  OUTPUT_VARIABLE SCENARIO_NAMES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE list_result)
if(NOT list_result EQUAL 0)
  message(FATAL_ERROR "tests/scenario/run.py --list failed")
endif()
execute_process(COMMAND ${Python3_EXECUTABLE} ${SCENARIO_RUNNER} --list-opt-in
  OUTPUT_VARIABLE OPT_IN_NAMES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE list_result)
if(NOT list_result EQUAL 0)
  message(FATAL_ERROR "tests/scenario/run.py --list-opt-in failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/scenario/scenarios.py)
string(REPLACE "\n" ";" SCENARIO_NAMES "${SCENARIO_NAMES}")
string(REPLACE "\n" ";" OPT_IN_NAMES "${OPT_IN_NAMES}")
# Opt-in variants (the scenario's opt_in key) carry the label opt-in as well,
# which `make test` leaves out unless OPT_IN=1.
foreach(name ${SCENARIO_NAMES})
  add_test(NAME scenario.${name}
    COMMAND ${Python3_EXECUTABLE} ${SCENARIO_RUNNER} --build ${CMAKE_BINARY_DIR} --source ${PROJECT_SOURCE_DIR} ${name})
  set(labels scenario)
  if(name IN_LIST OPT_IN_NAMES)
    set(labels "scenario;opt-in")
  endif()
  set_tests_properties(scenario.${name} PROPERTIES LABELS "${labels}" TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()

# `make debug` works: GDB attached to QEMU's stub stops at kernel_main.
find_program(GDB_PROGRAM NAMES gdb-multiarch gdb)
if(GDB_PROGRAM)
  add_test(NAME debug.gdb_stops_at_kernel_main
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/qemu.py debug --batch --smp 1 --mem 256M
            --image ${CMAKE_BINARY_DIR}/disk.img --kernel-elf ${KERNEL_ELF})
  set_tests_properties(debug.gdb_stops_at_kernel_main PROPERTIES LABELS scenario TIMEOUT 300)
else()
  message(WARNING "gdb not found: the make debug check is left out (apt-get install gdb)")
endif()

# `make run` ends at busybox's prompt on the terminal, Ctrl-C reaches the
# shell's job, and `poweroff` ends QEMU with status 0 (driven through a
# pseudo-terminal, as typed by a person).
add_test(NAME debug.make_run_reaches_the_shell
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/scenario/make_run_shell.py --source ${PROJECT_SOURCE_DIR}
          --image ${CMAKE_BINARY_DIR}/disk.img --log ${CMAKE_BINARY_DIR}/scenario-logs/make_run_shell.log)
set_tests_properties(debug.make_run_reaches_the_shell PROPERTIES LABELS scenario TIMEOUT 300)

# `make screenshot` works: boot to the shell, type into tty1's shell on
# the keyboard, wait until the screen's text shows the command's result,
# save the framebuffer.
add_test(NAME debug.screenshot_shows_the_console
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/qemu.py screenshot --smp 1 --mem 256M
          --image ${CMAKE_BINARY_DIR}/disk.img --out ${CMAKE_BINARY_DIR}/screenshot.png
          --wait-for "[cxxkernel] ~ # " --timeout 240
          --type "echo shot-$((6*7))\\n" --screen-has "^screen\\| shot-42")
set_tests_properties(debug.screenshot_shows_the_console PROPERTIES LABELS scenario TIMEOUT 300)
