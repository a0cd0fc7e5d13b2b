# Host unit tests of lib/ (one executable per area; see cmake/host_tests.cmake).
add_host_test(lib_cmdline_tests ${CMAKE_CURRENT_LIST_DIR}/cmdline.cpp ${CMAKE_CURRENT_LIST_DIR}/cmdline_test.cpp)
add_host_test(lib_tests ${CMAKE_CURRENT_LIST_DIR}/format_test.cpp ${CMAKE_CURRENT_LIST_DIR}/counter_test.cpp
              ${CMAKE_CURRENT_LIST_DIR}/bytes_test.cpp
              ${CMAKE_CURRENT_LIST_DIR}/psf.cpp ${CMAKE_CURRENT_LIST_DIR}/psf_test.cpp)
# psf_test.cpp reads the real gzip-compressed Debian console fonts.
find_package(ZLIB REQUIRED)
target_link_libraries(lib_tests PRIVATE ZLIB::ZLIB)
# Runtime pieces (runtime engineer): the ELF symbolizer and the memory primitives.
# The symbolizer is also checked against this build's own kernel.elf when it exists.
add_host_test(lib_runtime_tests
  ${CMAKE_CURRENT_LIST_DIR}/elf_symbols.cpp ${CMAKE_CURRENT_LIST_DIR}/elf_symbols_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/memory.cpp ${CMAKE_CURRENT_LIST_DIR}/memory_test.cpp)
target_compile_definitions(lib_runtime_tests PRIVATE KERNEL_ELF_PATH="${CMAKE_BINARY_DIR}/kernel.elf")
# The Linux errno numbering, checked against the host's own headers.
add_host_test(lib_errno_tests ${CMAKE_CURRENT_LIST_DIR}/errno_test.cpp)
# An intrusive doubly-linked list (run queues, wait queues).
add_host_test(lib_list_tests ${CMAKE_CURRENT_LIST_DIR}/intrusive_list_test.cpp)
# The file hashes limine.conf paths may carry (loader/core/config.hpp).
add_host_test(lib_hash_tests ${CMAKE_CURRENT_LIST_DIR}/hash/blake2b.cpp ${CMAKE_CURRENT_LIST_DIR}/hash/blake3.cpp
              ${CMAKE_CURRENT_LIST_DIR}/hash/hash_test.cpp)
# gzip (RFC 1952) and DEFLATE (RFC 1951) for the loader's '$' paths, against
# Debian's gzip (run by the test) and, for the system's .gz files, zlib.
add_host_test(lib_compress_tests ${CMAKE_CURRENT_LIST_DIR}/compress/inflate.cpp ${CMAKE_CURRENT_LIST_DIR}/compress/gzip.cpp
              ${CMAKE_CURRENT_LIST_DIR}/compress/gzip_test.cpp)
if(TARGET lib_compress_tests)
  target_link_libraries(lib_compress_tests PRIVATE ZLIB::ZLIB)
endif()
# ChaCha20 and the generator behind getrandom(2) (kernel/dev/random.hpp).
add_host_test(lib_random_tests ${CMAKE_CURRENT_LIST_DIR}/random/chacha20.cpp
              ${CMAKE_CURRENT_LIST_DIR}/random/chacha20_test.cpp)
# The error type, Expected's checked accessors and Span's bounds check.
add_host_test(lib_error_tests ${CMAKE_CURRENT_LIST_DIR}/error_test.cpp)
# [[nodiscard]] Expected: a dropped result is a compile error in the kernel,
# the loader and the host tests (-Werror=unused-result), and a used one is not.
set(NODISCARD_SAMPLE ${CMAKE_CURRENT_LIST_DIR}/nodiscard_compile_test.cpp)
foreach(program kernel loader host)
  if(program STREQUAL "kernel")
    set(flags ${KERNEL_CXX_FLAGS} -DKERNEL=1)
  elseif(program STREQUAL "loader")
    set(flags ${LOADER_CXX_FLAGS} -DLOADER=1)
  else()
    set(flags -std=c++20 -DHOST_TEST=1 ${HOST_WARNING_FLAGS})
  endif()
  add_test(NAME host.nodiscard.${program}_refuses_a_dropped_expected
    COMMAND ${CMAKE_CXX_COMPILER} ${flags} -fsyntax-only -I${PROJECT_SOURCE_DIR} -DDROP_THE_RESULT=1 ${NODISCARD_SAMPLE})
  set_tests_properties(host.nodiscard.${program}_refuses_a_dropped_expected PROPERTIES LABELS host
    PASS_REGULAR_EXPRESSION "error: ignoring return value of function declared with 'nodiscard' attribute")
  add_test(NAME host.nodiscard.${program}_accepts_a_checked_expected
    COMMAND ${CMAKE_CXX_COMPILER} ${flags} -fsyntax-only -I${PROJECT_SOURCE_DIR} ${NODISCARD_SAMPLE})
  set_tests_properties(host.nodiscard.${program}_accepts_a_checked_expected PROPERTIES LABELS host)
endforeach()
