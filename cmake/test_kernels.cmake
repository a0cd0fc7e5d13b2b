# Small test kernels that the scenarios boot instead of the kernel
# (tests/kernels/): freestanding C++, each linked at 0xffffffff80000000 with
# its own linker script, built into ${CMAKE_BINARY_DIR}/test-kernels/.
function(add_test_kernel name)
  set(dir ${PROJECT_SOURCE_DIR}/tests/kernels/${name})
  set(out ${CMAKE_BINARY_DIR}/test-kernels/${name}.elf)
  add_library(${name}_objects OBJECT ${dir}/main.cpp)
  target_include_directories(${name}_objects PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name}_objects PRIVATE --target=x86_64-unknown-none-elf -std=c++20 -ffreestanding
    -nostdinc++ -fno-exceptions -fno-rtti -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -mgeneral-regs-only
    -fno-stack-protector -O2 -Wall -Wextra)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/test-kernels
    COMMAND ${LD_LLD} -nostdlib -static -z max-page-size=0x1000 --no-dynamic-linker -T ${dir}/linker.ld
            -o ${out} $<TARGET_OBJECTS:${name}_objects>
    DEPENDS ${name}_objects $<TARGET_OBJECTS:${name}_objects> ${dir}/linker.ld
    COMMAND_EXPAND_LISTS
    COMMENT "Linking test kernel ${name}")
  add_custom_target(${name} ALL DEPENDS ${out})
endfunction()

add_test_kernel(revision_check)
add_test_kernel(template)
