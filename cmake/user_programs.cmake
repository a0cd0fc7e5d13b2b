# User-space programs for the Linux x86_64 ABI (issues 11-14), built as
# static Linux executables with Debian's toolchains, not with the project's
# clang: gcc with glibc's libc.a, and musl-gcc (musl-tools). They are plain
# host-architecture programs, so the host Linux runs them too.
#
#   build/user/<flavour>/<prog>   tests/user/<prog>.c, flavour glibc and musl
#   build/user/run-all.sh         runs them all between @@user-test markers
#   build/user/ubench             bench/user/ubench.c (static glibc)
#
# CTest label user-host: every test program on the host Linux (both builds,
# twice, outputs identical), which also records the reference outputs
# build/user-ref/<flavour>/<prog>.out for tools/differential.py.
find_program(USER_GCC gcc)
find_program(USER_MUSL_GCC musl-gcc)
if(NOT USER_GCC OR NOT USER_MUSL_GCC)
  message(FATAL_ERROR "gcc and musl-gcc build the user programs: apt-get install gcc libc6-dev musl-tools "
                      "(tools/deps.sh build)")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(USER_TEST_PROGRAMS startup lifecycle process memory time signals sigprocs sigchild sigframe futex threads threadexec clone3 sharedfutex tlbshoot files pipes epoll tty procfs)
set(USER_SRC ${PROJECT_SOURCE_DIR}/tests/user)
set(USER_OUT ${CMAKE_BINARY_DIR}/user)
set(USER_REF ${CMAKE_BINARY_DIR}/user-ref)
set(USER_DYNAMIC_CFLAGS -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread)
set(USER_CFLAGS -static ${USER_DYNAMIC_CFLAGS})

set(user_outputs "")
foreach(flavour glibc musl)
  if(flavour STREQUAL "glibc")
    set(cc ${USER_GCC})
  else()
    set(cc ${USER_MUSL_GCC})
  endif()
  foreach(prog ${USER_TEST_PROGRAMS})
    set(out ${USER_OUT}/${flavour}/${prog})
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${USER_OUT}/${flavour}
      COMMAND ${cc} ${USER_CFLAGS} -o ${out} ${USER_SRC}/${prog}.c ${USER_SRC}/common.c
      DEPENDS ${USER_SRC}/${prog}.c ${USER_SRC}/common.c ${USER_SRC}/common.h
      COMMENT "user program ${flavour}/${prog}" VERBATIM)
    list(APPEND user_outputs ${out})
  endforeach()
endforeach()

# Dynamically linked glibc programs (gcc's default PIE, no -static):
# build/user/dynamic/<prog>. exec loads their PT_INTERP, Debian's
# /lib64/ld-linux-x86-64.so.2, which maps libc.so.6; both come into the
# initramfs from the installed libc6 package (cmake/initramfs.cmake), the
# very files these programs were linked against. Compared with the host by
# the scenarios user_<prog>_dynamic_initramfs; not in run-all.sh (the Linux
# reference's initramfs has no shared libraries).
set(USER_DYNAMIC_PROGRAMS startup process ldso)
foreach(prog ${USER_DYNAMIC_PROGRAMS})
  set(out ${USER_OUT}/dynamic/${prog})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${USER_OUT}/dynamic
    COMMAND ${USER_GCC} ${USER_DYNAMIC_CFLAGS} -o ${out} ${USER_SRC}/${prog}.c ${USER_SRC}/common.c
    DEPENDS ${USER_SRC}/${prog}.c ${USER_SRC}/common.c ${USER_SRC}/common.h
    COMMENT "user program dynamic/${prog}" VERBATIM)
  list(APPEND user_outputs ${out})
endforeach()

# Programs for our kernel only (tests/user/kernel/: the syscall fuzzer),
# not compared with the host: static glibc.
set(USER_KERNEL_PROGRAMS fuzz procs procstress)
foreach(prog ${USER_KERNEL_PROGRAMS})
  set(out ${USER_OUT}/kernel/${prog})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${USER_OUT}/kernel
    COMMAND ${USER_GCC} ${USER_CFLAGS} -o ${out} ${USER_SRC}/kernel/${prog}.c
    DEPENDS ${USER_SRC}/kernel/${prog}.c
    COMMENT "user program kernel/${prog}" VERBATIM)
  list(APPEND user_outputs ${out})
endforeach()

add_custom_command(OUTPUT ${USER_OUT}/run-all.sh
  COMMAND ${CMAKE_COMMAND} -E make_directory ${USER_OUT}
  COMMAND ${CMAKE_COMMAND} -E copy ${USER_SRC}/run-all.sh ${USER_OUT}/run-all.sh
  DEPENDS ${USER_SRC}/run-all.sh VERBATIM)
list(APPEND user_outputs ${USER_OUT}/run-all.sh)

# The benchmark: glibc only (the Linux reference runs the very same binary).
set(UBENCH ${USER_OUT}/ubench)
if(EXISTS ${PROJECT_SOURCE_DIR}/bench/user/ubench.c)
add_custom_command(OUTPUT ${UBENCH}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${USER_OUT}
  COMMAND ${USER_GCC} -static -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
          -o ${UBENCH} ${PROJECT_SOURCE_DIR}/bench/user/ubench.c
  DEPENDS ${PROJECT_SOURCE_DIR}/bench/user/ubench.c
  COMMENT "user benchmark ubench" VERBATIM)
list(APPEND user_outputs ${UBENCH})
endif()

add_custom_target(user_programs ALL DEPENDS ${user_outputs})

set(DIFFERENTIAL ${PROJECT_SOURCE_DIR}/tools/differential.py)
foreach(prog ${USER_TEST_PROGRAMS})
  add_test(NAME user-host.${prog}
    COMMAND ${Python3_EXECUTABLE} ${DIFFERENTIAL} host-run ${prog} --bin-dir ${USER_OUT} --ref-dir ${USER_REF}
            --allowed ${USER_SRC}/allowed_differences.txt)
  set_tests_properties(user-host.${prog} PROPERTIES LABELS user-host TIMEOUT 120 FIXTURES_SETUP user_refs)
endforeach()
add_test(NAME user-host.differential_tool
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/differential_test.py)
set_tests_properties(user-host.differential_tool PROPERTIES LABELS user-host TIMEOUT 60)

# The same programs inside Debian's Linux 6.1 under QEMU, compared with the
# host's references (tools/linux_user_tests.py): their expectations hold on
# the Linux our kernel follows, and the in-kernel differential path works.
# Needs the kernel package (apt-get download, cached in build/linux-ref).
add_test(NAME linux-ref.user_programs_on_linux_6_1
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/linux_user_tests.py --build ${CMAKE_BINARY_DIR}
          --source ${PROJECT_SOURCE_DIR})
# RUN_SERIAL: its QEMU keeps a core busy for a while, which would disturb
# the scenarios that measure timer rates against wall-clock references.
set_tests_properties(linux-ref.user_programs_on_linux_6_1 PROPERTIES LABELS linux-ref TIMEOUT 900
  FIXTURES_REQUIRED user_refs RUN_SERIAL TRUE)
# The rest of make bench's Linux comparison: ubench on the host, the
# hand-off probe booted through SeaBIOS, our kernel running the reference
# initramfs to its prompt and ubench there, PID 1's session under Linux
# (tests/user/kernel/procs.c as its init), the tables
# (tools/linux_reference_test.py). Three QEMU boots, two of them under -icount.
add_test(NAME linux-ref.bench_harness
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/linux_reference_test.py ${CMAKE_BINARY_DIR})
set_tests_properties(linux-ref.bench_harness PROPERTIES LABELS linux-ref TIMEOUT 900)
