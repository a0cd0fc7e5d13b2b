# Host unit tests of the pure console parts: the terminal emulator (escape
# sequences -> cells, with a fuzz loop), escape stripping for the serial log,
# the text renderer (drawn into an in-memory framebuffer with a real PSF
# font), the klog line prefix, record formatting, the history ring and the
# log's record ring (with real threads).
add_host_test(console_tests
  ${CMAKE_CURRENT_LIST_DIR}/vt_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/terminal.cpp ${CMAKE_CURRENT_LIST_DIR}/terminal_sgr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/terminal_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ansi.cpp ${CMAKE_CURRENT_LIST_DIR}/ansi_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/text_renderer.cpp ${CMAKE_CURRENT_LIST_DIR}/text_renderer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log_prefix_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log_format.cpp ${CMAKE_CURRENT_LIST_DIR}/log_format_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log_ring_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/history.cpp ${CMAKE_CURRENT_LIST_DIR}/history_test.cpp
  ${PROJECT_SOURCE_DIR}/lib/psf.cpp ${PROJECT_SOURCE_DIR}/lib/memory.cpp)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
target_link_libraries(console_tests PRIVATE ZLIB::ZLIB Threads::Threads)
