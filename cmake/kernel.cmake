# Two kernels from the same sources (every .cpp and .S under kernel/ and lib/
# except host tests, *_test.cpp):
#   kernel.elf          the release kernel: optimised, NDEBUG, DEBUG_ASSERT off
#                       (no heap canaries), no UBSan, no tests or test hooks;
#                       what `make run` boots (build/esp/)
#   kernel-checked.elf  the checked kernel: DEBUG_ASSERT on, heap canaries,
#                       UBSan, the in-kernel tests and the deliberate-failure
#                       hooks; what `make test` boots (build/esp-test/)
# Flags: freestanding C++20, no exceptions/RTTI, no red zone, kernel code
# model, no SSE/x87, no PIC.
file(GLOB_RECURSE KERNEL_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernel/*.cpp ${PROJECT_SOURCE_DIR}/kernel/*.S
     ${PROJECT_SOURCE_DIR}/lib/*.cpp)
list(FILTER KERNEL_SOURCES EXCLUDE REGEX "_test\\.cpp$")

# Test-only code, linked into the checked kernel only: the in-kernel tests
# and their runner, the deliberate failures (selftest=, faulttest=) and the
# UBSan runtime. kernel/test/hooks.cpp is what the boot calls in both.
set(KERNEL_CHECKED_ONLY_REGEX
    "(_ktests\\.cpp|/kernel/test/(ktest|machine)\\.cpp|/kernel/debug/selftest\\.cpp|/kernel/arch/x86_64/fault_(triggers|selftest)\\.cpp|/kernel/rt/ubsan\\.cpp)$")
set(KERNEL_RELEASE_SOURCES ${KERNEL_SOURCES})
list(FILTER KERNEL_RELEASE_SOURCES EXCLUDE REGEX "${KERNEL_CHECKED_ONLY_REGEX}")

set(KERNEL_TARGET_FLAGS --target=x86_64-unknown-none-elf)
set(KERNEL_CXX_FLAGS
    ${KERNEL_TARGET_FLAGS} -std=c++20 -ffreestanding -nostdinc++ -fno-exceptions -fno-rtti
    -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie
    -mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
    -fstack-protector-strong -g -O2
    -Wall -Wextra -Wno-unused-parameter -Werror=return-type -Werror=implicit-fallthrough
    -Werror=unused-result)  # an ignored Expected (or other [[nodiscard]] result) is an error
set(KERNEL_CHECKED_CXX_FLAGS ${KERNEL_CXX_FLAGS})
if(KERNEL_UBSAN)
  # Trap-free UBSan: every check calls our runtime (kernel/rt/ubsan.cpp),
  # which prints the source location and panics.
  list(APPEND KERNEL_CHECKED_CXX_FLAGS -fsanitize=undefined -fno-sanitize=function,vptr)
endif()

# The console font, decompressed at build time and embedded with .incbin.
set(KERNEL_FONT_PSF ${CMAKE_BINARY_DIR}/generated/console_font.psf)
add_custom_command(OUTPUT ${KERNEL_FONT_PSF}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND gzip -dc ${KERNEL_FONT} > ${KERNEL_FONT_PSF}
  DEPENDS ${KERNEL_FONT}
  COMMENT "Decompressing console font ${KERNEL_FONT}")
add_custom_target(kernel_font DEPENDS ${KERNEL_FONT_PSF})
# The vDSO (kernel/vdso/vdso.c): a small shared object built by the host's
# gcc (a user-mode ELF, not kernel code), embedded with .incbin
# (kernel/proc/vdso_image.S) and mapped into every program.
find_program(VDSO_GCC gcc REQUIRED)
set(KERNEL_VDSO_IMAGE ${CMAKE_BINARY_DIR}/generated/vdso.so)
add_custom_command(OUTPUT ${KERNEL_VDSO_IMAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND ${VDSO_GCC} -O2 -fPIC -nostdlib -shared -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables
          -mno-red-zone -fvisibility=hidden -Wall -Wextra -Werror -I${PROJECT_SOURCE_DIR}
          -Wl,-soname=linux-vdso.so.1 -Wl,--version-script=${PROJECT_SOURCE_DIR}/kernel/vdso/vdso.lds
          -Wl,-T,${PROJECT_SOURCE_DIR}/kernel/vdso/vdso_layout.lds -Wl,--hash-style=both -Wl,-z,max-page-size=4096
          -Wl,--build-id=none -o ${KERNEL_VDSO_IMAGE} ${PROJECT_SOURCE_DIR}/kernel/vdso/vdso.c
  DEPENDS ${PROJECT_SOURCE_DIR}/kernel/vdso/vdso.c ${PROJECT_SOURCE_DIR}/kernel/vdso/vdso_data.h
          ${PROJECT_SOURCE_DIR}/kernel/vdso/vdso.lds ${PROJECT_SOURCE_DIR}/kernel/vdso/vdso_layout.lds
  COMMENT "Building the vDSO" VERBATIM)
add_custom_target(kernel_vdso DEPENDS ${KERNEL_VDSO_IMAGE})

# Assembly that .incbin's the font or the vDSO must be rebuilt when they change.
set_source_files_properties(${KERNEL_SOURCES} PROPERTIES OBJECT_DEPENDS "${KERNEL_FONT_PSF};${KERNEL_VDSO_IMAGE}")

set(KERNEL_LINKER_SCRIPT ${PROJECT_SOURCE_DIR}/kernel/linker.ld)
find_program(LD_LLD NAMES ld.lld ld.lld-14 REQUIRED)

# add_kernel(<target> <elf> SOURCES ... CXX_FLAGS ... DEFINITIONS ...)
function(add_kernel target elf)
  cmake_parse_arguments(K "" "" "SOURCES;CXX_FLAGS;DEFINITIONS" ${ARGN})
  add_library(${target}_objects OBJECT ${K_SOURCES})
  add_dependencies(${target}_objects kernel_font kernel_vdso)
  target_include_directories(${target}_objects PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${target}_objects PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${K_CXX_FLAGS}>
    $<$<COMPILE_LANGUAGE:ASM>:${KERNEL_TARGET_FLAGS} -g>)
  target_compile_definitions(${target}_objects PRIVATE KERNEL=1 KERNEL_FONT_PATH="${KERNEL_FONT_PSF}"
    KERNEL_VDSO_PATH="${KERNEL_VDSO_IMAGE}" ${K_DEFINITIONS})
  add_custom_command(OUTPUT ${elf}
    COMMAND ${LD_LLD} -nostdlib -static -z max-page-size=0x1000 --no-dynamic-linker
            -T ${KERNEL_LINKER_SCRIPT} -o ${elf} $<TARGET_OBJECTS:${target}_objects>
    DEPENDS ${target}_objects $<TARGET_OBJECTS:${target}_objects> ${KERNEL_LINKER_SCRIPT}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking ${elf}")
  add_custom_target(${target} ALL DEPENDS ${elf})
endfunction()

set(KERNEL_ELF ${CMAKE_BINARY_DIR}/kernel.elf)
set(KERNEL_CHECKED_ELF ${CMAKE_BINARY_DIR}/kernel-checked.elf)
add_kernel(kernel ${KERNEL_ELF}
  SOURCES ${KERNEL_RELEASE_SOURCES}
  CXX_FLAGS ${KERNEL_CXX_FLAGS}
  DEFINITIONS NDEBUG=1 KERNEL_DEBUG_ASSERTS=0 KERNEL_CHECKED=0)
add_kernel(kernel_checked ${KERNEL_CHECKED_ELF}
  SOURCES ${KERNEL_SOURCES}
  CXX_FLAGS ${KERNEL_CHECKED_CXX_FLAGS}
  DEFINITIONS KERNEL_DEBUG_ASSERTS=1 KERNEL_CHECKED=1 $<$<BOOL:${KERNEL_UBSAN}>:KERNEL_UBSAN=1>)
