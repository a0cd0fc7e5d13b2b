# The UEFI loader: a PE32+ EFI application built with clang for the
# x86_64-unknown-windows target (the UEFI calling convention is that target's
# default) and linked by lld-link. It uses no C++ library at all.
file(GLOB_RECURSE LOADER_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/loader/*.cpp ${PROJECT_SOURCE_DIR}/loader/*.S
     ${PROJECT_SOURCE_DIR}/lib/*.cpp)
list(FILTER LOADER_SOURCES EXCLUDE REGEX "_test\\.cpp$")

set(LOADER_TARGET_FLAGS --target=x86_64-unknown-windows)
set(LOADER_CXX_FLAGS ${LOADER_TARGET_FLAGS} -std=c++20 -ffreestanding -nostdinc++ -fshort-wchar
    -mno-red-zone -fno-exceptions -fno-rtti -fno-stack-protector -mno-stack-arg-probe
    -mgeneral-regs-only -g -O2 -Wall -Wextra -Wno-unused-parameter -Werror=return-type -Werror=unused-result)

add_executable(loader ${LOADER_SOURCES})
target_include_directories(loader PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(loader PRIVATE LOADER=1)
target_compile_options(loader PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:${LOADER_CXX_FLAGS}>
  $<$<COMPILE_LANGUAGE:ASM>:${LOADER_TARGET_FLAGS}>)
target_link_options(loader PRIVATE ${LOADER_TARGET_FLAGS} -nostdlib -fuse-ld=lld
  -Wl,/subsystem:efi_application -Wl,/entry:efi_main)
set_target_properties(loader PROPERTIES OUTPUT_NAME BOOTX64 SUFFIX .EFI
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/loader-bin)
