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
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/scenario/scenarios.py)
string(REPLACE "\n" ";" SCENARIO_NAMES "${SCENARIO_NAMES}")
foreach(name ${SCENARIO_NAMES})
  add_test(NAME scenario.${name}
    COMMAND ${Python3_EXECUTABLE} ${SCENARIO_RUNNER} --build ${CMAKE_BINARY_DIR} --source ${PROJECT_SOURCE_DIR} ${name})
  set_tests_properties(scenario.${name} PROPERTIES LABELS scenario TIMEOUT 300)
endforeach()
