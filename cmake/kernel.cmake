# The kernel: every .cpp and .S under kernel/ and lib/ except host tests
# (*_test.cpp). Flags follow the foundation issue: freestanding C++20, no
# exceptions/RTTI, no red zone, kernel code model, no SSE/x87, no PIC.
file(GLOB_RECURSE KERNEL_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernel/*.cpp ${PROJECT_SOURCE_DIR}/kernel/*.S
     ${PROJECT_SOURCE_DIR}/lib/*.cpp)
list(FILTER KERNEL_SOURCES EXCLUDE REGEX "_test\\.cpp$")

set(KERNEL_TARGET_FLAGS --target=x86_64-unknown-none-elf)
set(KERNEL_CXX_FLAGS
    ${KERNEL_TARGET_FLAGS} -std=c++20 -ffreestanding -nostdinc++ -fno-exceptions -fno-rtti
    -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie
    -mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
    -fstack-protector-strong -g -O2
    -Wall -Wextra -Wno-unused-parameter -Werror=return-type -Werror=implicit-fallthrough)
if(KERNEL_UBSAN)
  # Trap-free UBSan: every check calls our runtime (kernel/rt/ubsan.cpp),
  # which prints the source location and panics.
  list(APPEND KERNEL_CXX_FLAGS -fsanitize=undefined -fno-sanitize=function,vptr)
endif()

# The console font, decompressed at build time and embedded with .incbin.
set(KERNEL_FONT_PSF ${CMAKE_BINARY_DIR}/generated/console_font.psf)
add_custom_command(OUTPUT ${KERNEL_FONT_PSF}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND gzip -dc ${KERNEL_FONT} > ${KERNEL_FONT_PSF}
  DEPENDS ${KERNEL_FONT}
  COMMENT "Decompressing console font ${KERNEL_FONT}")
add_custom_target(kernel_font DEPENDS ${KERNEL_FONT_PSF})

add_library(kernel_objects OBJECT ${KERNEL_SOURCES})
add_dependencies(kernel_objects kernel_font)
target_include_directories(kernel_objects PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(kernel_objects PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:${KERNEL_CXX_FLAGS}>
  $<$<COMPILE_LANGUAGE:ASM>:${KERNEL_TARGET_FLAGS} -g>)
target_compile_definitions(kernel_objects PRIVATE
  KERNEL=1 KERNEL_FONT_PATH="${KERNEL_FONT_PSF}"
  $<$<BOOL:${KERNEL_UBSAN}>:KERNEL_UBSAN=1>)
# Assembly that .incbin's the font must be rebuilt when the font changes.
set_source_files_properties(${KERNEL_SOURCES} PROPERTIES OBJECT_DEPENDS ${KERNEL_FONT_PSF})

set(KERNEL_ELF ${CMAKE_BINARY_DIR}/kernel.elf)
set(KERNEL_LINKER_SCRIPT ${PROJECT_SOURCE_DIR}/kernel/linker.ld)
find_program(LD_LLD NAMES ld.lld ld.lld-14 REQUIRED)
add_custom_command(OUTPUT ${KERNEL_ELF}
  COMMAND ${LD_LLD} -nostdlib -static -z max-page-size=0x1000 --no-dynamic-linker
          -T ${KERNEL_LINKER_SCRIPT} -o ${KERNEL_ELF} $<TARGET_OBJECTS:kernel_objects>
  DEPENDS kernel_objects $<TARGET_OBJECTS:kernel_objects> ${KERNEL_LINKER_SCRIPT}
  COMMAND_EXPAND_LISTS
  COMMENT "Linking kernel.elf")
add_custom_target(kernel ALL DEPENDS ${KERNEL_ELF})
