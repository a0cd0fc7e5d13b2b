// The Linux x86_64 program-start ABI: the ELF64 facts execve(2) reads (gABI
// "ELF Header" and "Program Header", the x86-64 psABI), the auxiliary-vector
// entry types (getauxval(3); linux/auxvec.h, asm/auxvec.h) and the limits
// Linux puts on arguments and script interpreters (linux/binfmts.h,
// linux/limits.h, include/linux/binfmts.h). linux_mm_test.cpp checks every
// number against the host's own headers; docs/vm.md explains how exec uses them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uapi {

// ELF identification and header values (gABI "ELF Header").
inline constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr size_t kEiClass = 4;
inline constexpr size_t kEiData = 5;
inline constexpr size_t kEiVersion = 6;
inline constexpr uint8_t kElfClass64 = 2;
inline constexpr uint8_t kElfData2Lsb = 1;
inline constexpr uint8_t kEvCurrent = 1;
inline constexpr uint16_t kEtExec = 2;
inline constexpr uint16_t kEtDyn = 3;
inline constexpr uint16_t kEmX86_64 = 62;

// Program header types and flags (gABI "Program Header"; GNU extensions).
inline constexpr uint32_t kPtNull = 0;
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPtDynamic = 2;
inline constexpr uint32_t kPtInterp = 3;
inline constexpr uint32_t kPtNote = 4;
inline constexpr uint32_t kPtPhdr = 6;
inline constexpr uint32_t kPtTls = 7;
inline constexpr uint32_t kPtGnuEhFrame = 0x6474e550;
inline constexpr uint32_t kPtGnuStack = 0x6474e551;
inline constexpr uint32_t kPtGnuRelro = 0x6474e552;
inline constexpr uint32_t kPtGnuProperty = 0x6474e553;
inline constexpr uint32_t kPfX = 1;
inline constexpr uint32_t kPfW = 2;
inline constexpr uint32_t kPfR = 4;

// The two records exec reads, in file layout (little-endian, natural
// alignment; sizes fixed by the gABI). Read them with memcpy from a byte
// buffer, never by casting a file pointer.
struct Elf64Header {
    uint8_t ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};
static_assert(sizeof(Elf64Header) == 64);

struct Elf64ProgramHeader {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};
static_assert(sizeof(Elf64ProgramHeader) == 56);

// Auxiliary-vector entry types (linux/auxvec.h, asm/auxvec.h).
inline constexpr uint64_t kAtNull = 0;
inline constexpr uint64_t kAtIgnore = 1;
inline constexpr uint64_t kAtExecFd = 2;
inline constexpr uint64_t kAtPhdr = 3;
inline constexpr uint64_t kAtPhent = 4;
inline constexpr uint64_t kAtPhnum = 5;
inline constexpr uint64_t kAtPagesz = 6;
inline constexpr uint64_t kAtBase = 7;
inline constexpr uint64_t kAtFlags = 8;
inline constexpr uint64_t kAtEntry = 9;
inline constexpr uint64_t kAtNotElf = 10;
inline constexpr uint64_t kAtUid = 11;
inline constexpr uint64_t kAtEuid = 12;
inline constexpr uint64_t kAtGid = 13;
inline constexpr uint64_t kAtEgid = 14;
inline constexpr uint64_t kAtPlatform = 15;
inline constexpr uint64_t kAtHwcap = 16;
inline constexpr uint64_t kAtClktck = 17;
inline constexpr uint64_t kAtSecure = 23;
inline constexpr uint64_t kAtBasePlatform = 24;
inline constexpr uint64_t kAtRandom = 25;
inline constexpr uint64_t kAtHwcap2 = 26;
inline constexpr uint64_t kAtExecFn = 31;
inline constexpr uint64_t kAtSysinfoEhdr = 33;
inline constexpr uint64_t kAtMinSigStkSz = 51;

// Limits on what execve copies (linux/binfmts.h, linux/limits.h).
inline constexpr uint64_t kMaxArgStrlen = 32 * 4096;    // MAX_ARG_STRLEN: one string, with its NUL
inline constexpr uint64_t kMaxArgStrings = 0x7fffffff;  // MAX_ARG_STRINGS
inline constexpr uint64_t kArgMax = 131072;             // ARG_MAX: always allowed for argv+envp
inline constexpr uint64_t kPathMax = 4096;              // PATH_MAX, with the NUL
inline constexpr size_t kBinprmBufSize = 256;           // BINPRM_BUF_SIZE: bytes exec reads to pick a format
inline constexpr uint64_t kStkLim = 8 << 20;            // _STK_LIM: RLIMIT_STACK's default soft limit

// What Linux puts in the auxiliary vector on x86_64 (create_elf_tables).
inline constexpr const char* kPlatform = "x86_64";  // AT_PLATFORM (ELF_PLATFORM)
inline constexpr uint64_t kClockTicks = 100;        // AT_CLKTCK (USER_HZ)

}  // namespace uapi
