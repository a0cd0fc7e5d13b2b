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
#include <linux/binfmts.h>
#include <linux/limits.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "kernel/abi/abi_test.hpp"
#include "kernel/abi/linux_mm.hpp"

namespace {

TEST(LinuxExec, ElfFactsEqualTheHostHeaders) {
    EXPECT_EQ(0, std::memcmp(uapi::kElfMagic, ELFMAG, SELFMAG));
    EXPECT_SAME(uapi::kEiClass, EI_CLASS);
    EXPECT_SAME(uapi::kEiData, EI_DATA);
    EXPECT_SAME(uapi::kEiVersion, EI_VERSION);
    EXPECT_SAME(uapi::kElfClass64, ELFCLASS64);
    EXPECT_SAME(uapi::kElfData2Lsb, ELFDATA2LSB);
    EXPECT_SAME(uapi::kEvCurrent, EV_CURRENT);
    EXPECT_SAME(uapi::kEtExec, ET_EXEC);
    EXPECT_SAME(uapi::kEtDyn, ET_DYN);
    EXPECT_SAME(uapi::kEmX86_64, EM_X86_64);
    EXPECT_SAME(uapi::kPtNull, PT_NULL);
    EXPECT_SAME(uapi::kPtLoad, PT_LOAD);
    EXPECT_SAME(uapi::kPtDynamic, PT_DYNAMIC);
    EXPECT_SAME(uapi::kPtInterp, PT_INTERP);
    EXPECT_SAME(uapi::kPtNote, PT_NOTE);
    EXPECT_SAME(uapi::kPtPhdr, PT_PHDR);
    EXPECT_SAME(uapi::kPtTls, PT_TLS);
    EXPECT_SAME(uapi::kPtGnuEhFrame, PT_GNU_EH_FRAME);
    EXPECT_SAME(uapi::kPtGnuStack, PT_GNU_STACK);
    EXPECT_SAME(uapi::kPtGnuRelro, PT_GNU_RELRO);
    EXPECT_SAME(uapi::kPtGnuProperty, PT_GNU_PROPERTY);
    EXPECT_SAME(uapi::kPfX, PF_X);
    EXPECT_SAME(uapi::kPfW, PF_W);
    EXPECT_SAME(uapi::kPfR, PF_R);
}

TEST(LinuxExec, ElfRecordLayoutsEqualTheHostHeaders) {
    EXPECT_EQ(sizeof(uapi::Elf64Header), sizeof(Elf64_Ehdr));
    EXPECT_FIELD(uapi::Elf64Header, type, Elf64_Ehdr, e_type);
    EXPECT_FIELD(uapi::Elf64Header, machine, Elf64_Ehdr, e_machine);
    EXPECT_FIELD(uapi::Elf64Header, entry, Elf64_Ehdr, e_entry);
    EXPECT_FIELD(uapi::Elf64Header, phoff, Elf64_Ehdr, e_phoff);
    EXPECT_FIELD(uapi::Elf64Header, flags, Elf64_Ehdr, e_flags);
    EXPECT_FIELD(uapi::Elf64Header, phentsize, Elf64_Ehdr, e_phentsize);
    EXPECT_FIELD(uapi::Elf64Header, phnum, Elf64_Ehdr, e_phnum);
    EXPECT_FIELD(uapi::Elf64Header, shstrndx, Elf64_Ehdr, e_shstrndx);
    EXPECT_EQ(sizeof(uapi::Elf64ProgramHeader), sizeof(Elf64_Phdr));
    EXPECT_FIELD(uapi::Elf64ProgramHeader, flags, Elf64_Phdr, p_flags);
    EXPECT_FIELD(uapi::Elf64ProgramHeader, offset, Elf64_Phdr, p_offset);
    EXPECT_FIELD(uapi::Elf64ProgramHeader, vaddr, Elf64_Phdr, p_vaddr);
    EXPECT_FIELD(uapi::Elf64ProgramHeader, filesz, Elf64_Phdr, p_filesz);
    EXPECT_FIELD(uapi::Elf64ProgramHeader, memsz, Elf64_Phdr, p_memsz);
    EXPECT_FIELD(uapi::Elf64ProgramHeader, align, Elf64_Phdr, p_align);
}

TEST(LinuxExec, AuxvTypesEqualTheHostHeaders) {
    EXPECT_SAME(uapi::kAtNull, AT_NULL);
    EXPECT_SAME(uapi::kAtIgnore, AT_IGNORE);
    EXPECT_SAME(uapi::kAtExecFd, AT_EXECFD);
    EXPECT_SAME(uapi::kAtPhdr, AT_PHDR);
    EXPECT_SAME(uapi::kAtPhent, AT_PHENT);
    EXPECT_SAME(uapi::kAtPhnum, AT_PHNUM);
    EXPECT_SAME(uapi::kAtPagesz, AT_PAGESZ);
    EXPECT_SAME(uapi::kAtBase, AT_BASE);
    EXPECT_SAME(uapi::kAtFlags, AT_FLAGS);
    EXPECT_SAME(uapi::kAtEntry, AT_ENTRY);
    EXPECT_SAME(uapi::kAtNotElf, AT_NOTELF);
    EXPECT_SAME(uapi::kAtUid, AT_UID);
    EXPECT_SAME(uapi::kAtEuid, AT_EUID);
    EXPECT_SAME(uapi::kAtGid, AT_GID);
    EXPECT_SAME(uapi::kAtEgid, AT_EGID);
    EXPECT_SAME(uapi::kAtPlatform, AT_PLATFORM);
    EXPECT_SAME(uapi::kAtHwcap, AT_HWCAP);
    EXPECT_SAME(uapi::kAtClktck, AT_CLKTCK);
    EXPECT_SAME(uapi::kAtSecure, AT_SECURE);
    EXPECT_SAME(uapi::kAtBasePlatform, AT_BASE_PLATFORM);
    EXPECT_SAME(uapi::kAtRandom, AT_RANDOM);
    EXPECT_SAME(uapi::kAtHwcap2, AT_HWCAP2);
    EXPECT_SAME(uapi::kAtExecFn, AT_EXECFN);
    EXPECT_SAME(uapi::kAtSysinfoEhdr, AT_SYSINFO_EHDR);
    EXPECT_SAME(uapi::kAtMinSigStkSz, AT_MINSIGSTKSZ);
}

TEST(LinuxExec, ArgumentLimitsEqualTheHostHeaders) {
    // MAX_ARG_STRLEN is written in pages; user space has no PAGE_SIZE macro.
#define PAGE_SIZE uint64_t(sysconf(_SC_PAGESIZE))
    EXPECT_SAME(uapi::kMaxArgStrlen, MAX_ARG_STRLEN);
#undef PAGE_SIZE
    EXPECT_SAME(uapi::kMaxArgStrings, MAX_ARG_STRINGS);
    EXPECT_SAME(uapi::kArgMax, kKernelArgMax);
    EXPECT_SAME(uapi::kPathMax, PATH_MAX);
    EXPECT_SAME(uapi::kBinprmBufSize, BINPRM_BUF_SIZE);
    // This host's kernel hands the same platform string and clock rate.
    EXPECT_STREQ(reinterpret_cast<const char*>(getauxval(AT_PLATFORM)), uapi::kPlatform);
    EXPECT_EQ(getauxval(AT_CLKTCK), uapi::kClockTicks);
    EXPECT_EQ(getauxval(AT_PAGESZ), uapi::kPageSize);
}

}  // namespace
