# Host unit tests of the TTY layer's pure parts: the termios ABI against the
# host's Linux headers, and the line discipline (mostly differentially,
# against a real Linux pty on this host).
add_host_test(tty_tests
  ${CMAKE_CURRENT_LIST_DIR}/termios_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/line_discipline.cpp ${CMAKE_CURRENT_LIST_DIR}/line_discipline_test.cpp
  ${PROJECT_SOURCE_DIR}/lib/memory.cpp)
