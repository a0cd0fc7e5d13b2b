// kernel/abi/linux_exec.hpp against the host Linux's own headers and its
// running kernel: every number a starting program receives must be the same.
// glibc's <limits.h> #undefs ARG_MAX (its limit follows RLIMIT_STACK), so
// the kernel header's value is kept before anything else is included.
// clang-format off
#include <linux/limits.h>
constexpr unsigned long kKernelArgMax = ARG_MAX;
// clang-format on

#include "kernel/abi/linux_exec.hpp"

#include <elf.h>
#include <gtest/gtest.h>
#include <linux/binfmts.h>
#include <linux/limits.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "kernel/abi/linux_mm.hpp"

namespace {

TEST(LinuxExec, ElfFactsEqualTheHostHeaders) {
    EXPECT_EQ(0, std::memcmp(uapi::kElfMagic, ELFMAG, SELFMAG));
    EXPECT_EQ(uapi::kEiClass, size_t(EI_CLASS));
    EXPECT_EQ(uapi::kEiData, size_t(EI_DATA));
    EXPECT_EQ(uapi::kEiVersion, size_t(EI_VERSION));
    EXPECT_EQ(uapi::kElfClass64, ELFCLASS64);
    EXPECT_EQ(uapi::kElfData2Lsb, ELFDATA2LSB);
    EXPECT_EQ(uapi::kEvCurrent, EV_CURRENT);
    EXPECT_EQ(uapi::kEtExec, ET_EXEC);
    EXPECT_EQ(uapi::kEtDyn, ET_DYN);
    EXPECT_EQ(uapi::kEmX86_64, EM_X86_64);
    EXPECT_EQ(uapi::kPtNull, uint32_t(PT_NULL));
    EXPECT_EQ(uapi::kPtLoad, uint32_t(PT_LOAD));
    EXPECT_EQ(uapi::kPtDynamic, uint32_t(PT_DYNAMIC));
    EXPECT_EQ(uapi::kPtInterp, uint32_t(PT_INTERP));
    EXPECT_EQ(uapi::kPtNote, uint32_t(PT_NOTE));
    EXPECT_EQ(uapi::kPtPhdr, uint32_t(PT_PHDR));
    EXPECT_EQ(uapi::kPtTls, uint32_t(PT_TLS));
    EXPECT_EQ(uapi::kPtGnuEhFrame, uint32_t(PT_GNU_EH_FRAME));
    EXPECT_EQ(uapi::kPtGnuStack, uint32_t(PT_GNU_STACK));
    EXPECT_EQ(uapi::kPtGnuRelro, uint32_t(PT_GNU_RELRO));
    EXPECT_EQ(uapi::kPtGnuProperty, uint32_t(PT_GNU_PROPERTY));
    EXPECT_EQ(uapi::kPfX, uint32_t(PF_X));
    EXPECT_EQ(uapi::kPfW, uint32_t(PF_W));
    EXPECT_EQ(uapi::kPfR, uint32_t(PF_R));
}

TEST(LinuxExec, ElfRecordLayoutsEqualTheHostHeaders) {
    EXPECT_EQ(sizeof(uapi::Elf64Header), sizeof(Elf64_Ehdr));
    EXPECT_EQ(offsetof(uapi::Elf64Header, type), offsetof(Elf64_Ehdr, e_type));
    EXPECT_EQ(offsetof(uapi::Elf64Header, machine), offsetof(Elf64_Ehdr, e_machine));
    EXPECT_EQ(offsetof(uapi::Elf64Header, entry), offsetof(Elf64_Ehdr, e_entry));
    EXPECT_EQ(offsetof(uapi::Elf64Header, phoff), offsetof(Elf64_Ehdr, e_phoff));
    EXPECT_EQ(offsetof(uapi::Elf64Header, flags), offsetof(Elf64_Ehdr, e_flags));
    EXPECT_EQ(offsetof(uapi::Elf64Header, phentsize), offsetof(Elf64_Ehdr, e_phentsize));
    EXPECT_EQ(offsetof(uapi::Elf64Header, phnum), offsetof(Elf64_Ehdr, e_phnum));
    EXPECT_EQ(offsetof(uapi::Elf64Header, shstrndx), offsetof(Elf64_Ehdr, e_shstrndx));
    EXPECT_EQ(sizeof(uapi::Elf64ProgramHeader), sizeof(Elf64_Phdr));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, flags), offsetof(Elf64_Phdr, p_flags));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, offset), offsetof(Elf64_Phdr, p_offset));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, vaddr), offsetof(Elf64_Phdr, p_vaddr));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, filesz), offsetof(Elf64_Phdr, p_filesz));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, memsz), offsetof(Elf64_Phdr, p_memsz));
    EXPECT_EQ(offsetof(uapi::Elf64ProgramHeader, align), offsetof(Elf64_Phdr, p_align));
}

TEST(LinuxExec, AuxvTypesEqualTheHostHeaders) {
    EXPECT_EQ(uapi::kAtNull, uint64_t(AT_NULL));
    EXPECT_EQ(uapi::kAtIgnore, uint64_t(AT_IGNORE));
    EXPECT_EQ(uapi::kAtExecFd, uint64_t(AT_EXECFD));
    EXPECT_EQ(uapi::kAtPhdr, uint64_t(AT_PHDR));
    EXPECT_EQ(uapi::kAtPhent, uint64_t(AT_PHENT));
    EXPECT_EQ(uapi::kAtPhnum, uint64_t(AT_PHNUM));
    EXPECT_EQ(uapi::kAtPagesz, uint64_t(AT_PAGESZ));
    EXPECT_EQ(uapi::kAtBase, uint64_t(AT_BASE));
    EXPECT_EQ(uapi::kAtFlags, uint64_t(AT_FLAGS));
    EXPECT_EQ(uapi::kAtEntry, uint64_t(AT_ENTRY));
    EXPECT_EQ(uapi::kAtNotElf, uint64_t(AT_NOTELF));
    EXPECT_EQ(uapi::kAtUid, uint64_t(AT_UID));
    EXPECT_EQ(uapi::kAtEuid, uint64_t(AT_EUID));
    EXPECT_EQ(uapi::kAtGid, uint64_t(AT_GID));
    EXPECT_EQ(uapi::kAtEgid, uint64_t(AT_EGID));
    EXPECT_EQ(uapi::kAtPlatform, uint64_t(AT_PLATFORM));
    EXPECT_EQ(uapi::kAtHwcap, uint64_t(AT_HWCAP));
    EXPECT_EQ(uapi::kAtClktck, uint64_t(AT_CLKTCK));
    EXPECT_EQ(uapi::kAtSecure, uint64_t(AT_SECURE));
    EXPECT_EQ(uapi::kAtBasePlatform, uint64_t(AT_BASE_PLATFORM));
    EXPECT_EQ(uapi::kAtRandom, uint64_t(AT_RANDOM));
    EXPECT_EQ(uapi::kAtHwcap2, uint64_t(AT_HWCAP2));
    EXPECT_EQ(uapi::kAtExecFn, uint64_t(AT_EXECFN));
    EXPECT_EQ(uapi::kAtSysinfoEhdr, uint64_t(AT_SYSINFO_EHDR));
    EXPECT_EQ(uapi::kAtMinSigStkSz, uint64_t(AT_MINSIGSTKSZ));
}

TEST(LinuxExec, ArgumentLimitsEqualTheHostHeaders) {
    // MAX_ARG_STRLEN is written in pages; user space has no PAGE_SIZE macro.
#define PAGE_SIZE uint64_t(sysconf(_SC_PAGESIZE))
    EXPECT_EQ(uapi::kMaxArgStrlen, uint64_t(MAX_ARG_STRLEN));
#undef PAGE_SIZE
    EXPECT_EQ(uapi::kMaxArgStrings, uint64_t(MAX_ARG_STRINGS));
    EXPECT_EQ(uapi::kArgMax, uint64_t(kKernelArgMax));
    EXPECT_EQ(uapi::kPathMax, uint64_t(PATH_MAX));
    EXPECT_EQ(uapi::kBinprmBufSize, size_t(BINPRM_BUF_SIZE));
    // This host's kernel hands the same platform string and clock rate.
    EXPECT_STREQ(reinterpret_cast<const char*>(getauxval(AT_PLATFORM)), uapi::kPlatform);
    EXPECT_EQ(getauxval(AT_CLKTCK), uapi::kClockTicks);
    EXPECT_EQ(getauxval(AT_PAGESZ), uapi::kPageSize);
}

}  // namespace
