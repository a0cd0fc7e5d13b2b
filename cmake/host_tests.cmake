# Host unit tests: GoogleTest executables built for this machine with ASan and
# UBSan. Each subsystem folder owns a host_tests.cmake that calls
# add_host_test(); this file finds them all, so adding a subsystem's tests
# touches only that subsystem's folder.
find_package(GTest REQUIRED)
include(GoogleTest)

set(HOST_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

# add_host_test(<name> <sources...>): one gtest binary, registered with CTest
# under the label "host"; test names become "host.<name>.<Suite>.<Case>".
# A dropped Expected is an error here as in the kernel and the loader.
set(HOST_WARNING_FLAGS -Wall -Wextra -Wno-unused-parameter -Werror=unused-result)

function(add_host_test name)
  # A listed file that does not exist (yet) is left out with a warning, so
  # one folder's half-written test list never stops the whole configure.
  set(sources "")
  foreach(source ${ARGN})
    if(EXISTS ${source})
      list(APPEND sources ${source})
    else()
      message(WARNING "add_host_test(${name}): ${source} does not exist; left out")
    endif()
  endforeach()
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE HOST_TEST=1)
  target_compile_options(${name} PRIVATE ${HOST_SANITIZE_FLAGS} -g -O1 ${HOST_WARNING_FLAGS})
  target_link_options(${name} PRIVATE ${HOST_SANITIZE_FLAGS})
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} TEST_PREFIX "host.${name}." PROPERTIES LABELS host DISCOVERY_TIMEOUT 60)
  add_dependencies(host_tests ${name})
endfunction()

add_custom_target(host_tests)
file(GLOB_RECURSE HOST_TEST_LISTS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/lib/host_tests.cmake ${PROJECT_SOURCE_DIR}/lib/*/host_tests.cmake
     ${PROJECT_SOURCE_DIR}/loader/host_tests.cmake ${PROJECT_SOURCE_DIR}/loader/*/host_tests.cmake
     ${PROJECT_SOURCE_DIR}/kernel/host_tests.cmake ${PROJECT_SOURCE_DIR}/kernel/*/host_tests.cmake
     ${PROJECT_SOURCE_DIR}/kernel/*/*/host_tests.cmake)
foreach(list_file ${HOST_TEST_LISTS})
  include(${list_file})
endforeach()
