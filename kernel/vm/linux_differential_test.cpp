// The same random sequences of mmap (MAP_FIXED), munmap, mprotect, mremap,
// madvise, and byte reads and writes, run on the host's own Linux (in a
// window of this test process) and on a vm::AddressSpace: every call must
// give the same result or errno, and afterwards every page of the window
// must have the same rights, sharing and contents. Reads and writes go
// through process_vm_readv/writev on the host, which check rights as
// AddressSpace::read_memory/write_memory do (GUP without FOLL_FORCE).
//
// Left out on purpose: placement without MAP_FIXED (the host process has
// its own layout), region boundaries (Linux declines some merges for
// reasons of its reverse maps that programs cannot rely on), and what
// changed after Linux 6.1, whose rules we follow while the host may be
// newer: mremap across several regions (6.17 moves them, 6.1 says EFAULT),
// mremap from unmapped memory (6.1 says EFAULT before checking the other
// arguments, 6.17 checks those first) and MADV_REMOVE on a shared mapping
// that is not writable (6.1 says EACCES).
// docs/vm.md lists these.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/testing.hpp"

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kWindowPages = 96;
constexpr uint64_t kWindow = 0x5a5a00000000;  // far from anything a host process maps
constexpr uint64_t kWindowEnd = kWindow + kWindowPages * kPage;

struct PageState {
    bool mapped = false;
    char rights[5] = "----";
    bool operator==(const PageState& other) const {
        return mapped == other.mapped && std::memcmp(rights, other.rights, 4) == 0;
    }
};

// /proc/self/maps for the window, page by page.
std::vector<PageState> host_pages() {
    std::vector<PageState> pages(kWindowPages);
    FILE* maps = std::fopen("/proc/self/maps", "r");
    char line[512];
    while (std::fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char rights[5];
        if (std::sscanf(line, "%lx-%lx %4s", &start, &end, rights) != 3) continue;
        for (uint64_t p = std::max<uint64_t>(start, kWindow); p < std::min<uint64_t>(end, kWindowEnd); p += kPage) {
            pages[(p - kWindow) / kPage].mapped = true;
            std::memcpy(pages[(p - kWindow) / kPage].rights, rights, 4);
        }
    }
    std::fclose(maps);
    return pages;
}

std::vector<PageState> our_pages(vm::AddressSpace* space) {
    std::vector<PageState> pages(kWindowPages);
    space->for_each_region([&](const vm::Vma& vma) {
        for (uint64_t p = std::max(vma.start, kWindow); p < std::min(vma.end, kWindowEnd); p += kPage) {
            PageState& state = pages[(p - kWindow) / kPage];
            state.mapped = true;
            state.rights[0] = (vma.prot & vm::kProtRead) ? 'r' : '-';
            state.rights[1] = (vma.prot & vm::kProtWrite) ? 'w' : '-';
            state.rights[2] = (vma.prot & vm::kProtExec) ? 'x' : '-';
            state.rights[3] = (vma.flags & vm::kVmaMayShare) ? 's' : 'p';
        }
    });
    return pages;
}

int host_errno(long result) {
    return result < 0 ? errno : 0;
}
template <typename T>
int our_errno(const lib::Expected<T>& result) {
    return result ? 0 : int(vm::error_number(result.error()));
}

int host_read(uint64_t address, uint8_t& value) {
    iovec local{&value, 1}, remote{reinterpret_cast<void*>(address), 1};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1 ? 0 : errno;
}
int host_write(uint64_t address, uint8_t value) {
    iovec local{&value, 1}, remote{reinterpret_cast<void*>(address), 1};
    return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == 1 ? 0 : errno;
}

class Differential {
public:
    explicit Differential(uint64_t seed) : random_(seed) {}

    uint64_t page_in_window() { return kWindow + (random_() % kWindowPages) * kPage; }
    uint64_t length_from(uint64_t start) {
        uint64_t room = (kWindowEnd - start) / kPage;
        return (1 + random_() % std::min<uint64_t>(room, 12)) * kPage;
    }
    uint64_t prot() {
        static const uint64_t choices[] = {PROT_NONE,
                                           PROT_READ,
                                           PROT_READ | PROT_WRITE,
                                           PROT_READ | PROT_EXEC,
                                           PROT_WRITE,
                                           PROT_READ | PROT_WRITE | PROT_EXEC};
        return choices[random_() % 6];
    }

    // One random operation on both sides; returns a description on mismatch.
    std::string step() {
        char what[160];
        int host = 0, ours = 0;
        switch (random_() % 8) {
            case 0: {
                uint64_t start = page_in_window(), length = length_from(start), p = prot();
                uint64_t flags = MAP_FIXED | MAP_ANONYMOUS | (random_() % 4 == 0 ? MAP_SHARED : MAP_PRIVATE);
                host = host_errno(
                    reinterpret_cast<long>(mmap(reinterpret_cast<void*>(start), length, int(p), int(flags), -1, 0)));
                ours = our_errno(space_->mmap(start, length, p, flags, nullptr, 0));
                std::snprintf(what, sizeof what, "mmap(%#lx, %#lx, %lu, %#lx)", start, length, p, flags);
                break;
            }
            case 1: {
                uint64_t start = page_in_window(), length = length_from(start);
                host = host_errno(munmap(reinterpret_cast<void*>(start), length));
                ours = our_errno(space_->munmap(start, length));
                std::snprintf(what, sizeof what, "munmap(%#lx, %#lx)", start, length);
                break;
            }
            case 2: {
                uint64_t start = page_in_window(), length = length_from(start), p = prot();
                host = host_errno(mprotect(reinterpret_cast<void*>(start), length, int(p)));
                ours = our_errno(space_->mprotect(start, length, p));
                std::snprintf(what, sizeof what, "mprotect(%#lx, %#lx, %lu)", start, length, p);
                break;
            }
            case 3: {
                // Within one region, in the window.
                uint64_t start = page_in_window();
                uint64_t old_length = length_from(start);
                uint64_t new_length = length_from(start);
                bool fixed = random_() % 2;
                uint64_t target = page_in_window();
                if (fixed && target + new_length > kWindowEnd) return "";
                if (!one_region(start, old_length) || !host_one_region(start, old_length)) return "";
                uint64_t flags = fixed ? (MREMAP_MAYMOVE | MREMAP_FIXED) : 0;
                void* r = mremap(reinterpret_cast<void*>(start), old_length, new_length, int(flags),
                                 reinterpret_cast<void*>(target));
                host = r == MAP_FAILED ? errno : 0;
                auto result = space_->mremap(start, old_length, new_length, flags, target);
                ours = our_errno(result);
                if (!host && !ours && reinterpret_cast<uint64_t>(r) != *result) return "mremap moved elsewhere";
                std::snprintf(what, sizeof what, "mremap(%#lx, %#lx, %#lx, %lu, %#lx)", start, old_length, new_length,
                              flags, target);
                break;
            }
            case 4: {
                static const int advice[] = {MADV_DONTNEED, MADV_RANDOM, MADV_NORMAL,        MADV_WILLNEED,
                                             MADV_DONTDUMP, MADV_FREE,   MADV_POPULATE_READ, MADV_POPULATE_WRITE};
                uint64_t start = page_in_window(), length = length_from(start);
                int a = advice[random_() % 8];
                host = host_errno(madvise(reinterpret_cast<void*>(start), length, a));
                ours = our_errno(space_->madvise(start, length, a));
                std::snprintf(what, sizeof what, "madvise(%#lx, %#lx, %d)", start, length, a);
                break;
            }
            default: {
                uint64_t address = page_in_window() + (random_() % 8) * 512;
                uint8_t value = uint8_t(random_());
                host = host_write(address, value);
                ours = our_errno(space_->write_memory(address, &value, 1));
                std::snprintf(what, sizeof what, "write(%#lx, %u)", address, value);
                break;
            }
        }
        if (std::getenv("VM_DIFF_VERBOSE")) std::fprintf(stderr, "%s -> %d\n", what, host);
        if (host != ours && std::getenv("VM_DIFF_VERBOSE")) {
            space_->for_each_region([](const vm::Vma& vma) {
                std::fprintf(stderr, "  ours %#lx-%#lx prot %u anon %lu\n", vma.start, vma.end, vma.prot, vma.anon);
            });
            std::system("grep 5a5a /proc/$PPID/maps >&2");
        }
        if (host != ours)
            return std::string(what) + ": host errno " + std::to_string(host) + ", ours " + std::to_string(ours);
        return compare(what);
    }

    std::string compare(const char* after) {
        auto host = host_pages(), ours = our_pages(space_.space);
        for (uint64_t i = 0; i < kWindowPages; ++i) {
            if (!(host[i] == ours[i]))
                return std::string("after ") + after + ": page " + std::to_string(i) + " is " +
                       (host[i].mapped ? host[i].rights : "unmapped") + " on the host, " +
                       (ours[i].mapped ? ours[i].rights : "unmapped") + " here";
            for (uint64_t offset = 0; offset < kPage; offset += 512) {
                uint64_t address = kWindow + i * kPage + offset;
                uint8_t h = 0, o = 0;
                int host_result = host_read(address, h);
                int our_result = our_errno(space_->read_memory(address, &o, 1));
                if (host_result != our_result || (host_result == 0 && h != o))
                    return std::string("after ") + after + ": byte at page " + std::to_string(i) + " offset " +
                           std::to_string(offset) + " differs (" + std::to_string(h) + "/" +
                           std::to_string(host_result) + " vs " + std::to_string(o) + "/" + std::to_string(our_result) +
                           ")";
                if (host_result) break;  // the whole page is unreadable
            }
        }
        return "";
    }

    // Region boundaries may differ (see above): mremap only within a region
    // on both sides.
    static bool host_one_region(uint64_t start, uint64_t length) {
        FILE* maps = std::fopen("/proc/self/maps", "r");
        char line[512];
        bool inside = false;
        while (std::fgets(line, sizeof line, maps)) {
            unsigned long low, high;
            if (std::sscanf(line, "%lx-%lx", &low, &high) == 2 && low <= start && start + length <= high) inside = true;
        }
        std::fclose(maps);
        return inside;
    }

    bool one_region(uint64_t start, uint64_t length) {
        bool inside = false, crosses = false;
        space_->for_each_region([&](const vm::Vma& vma) {
            if (vma.contains(start))
                inside = vma.end >= start + length;
            else if (vma.start > start && vma.start < start + length)
                crosses = true;
        });
        return inside && !crosses;
    }

    vm::testing::Space space_;

private:
    std::mt19937_64 random_;
};

TEST(LinuxDifferential, RandomMemoryCallsMatchTheHostKernel) {
    // The window must be free in this process.
    void* probe = mmap(reinterpret_cast<void*>(kWindow), kWindowPages * kPage, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (probe == MAP_FAILED) GTEST_SKIP() << "the test window is taken in this process";
    munmap(probe, kWindowPages * kPage);
    // VM_DIFF_SEEDS=first,count runs other seeds (a longer campaign by hand).
    uint64_t first = 1, count = 12;
    if (const char* seeds = std::getenv("VM_DIFF_SEEDS")) std::sscanf(seeds, "%lu,%lu", &first, &count);
    for (uint64_t seed = first; seed < first + count; ++seed) {
        Differential run(seed);
        for (int step = 0; step < 400; ++step) {
            std::string mismatch = run.step();
            ASSERT_EQ(mismatch, "") << "seed " << seed << " step " << step;
        }
        munmap(reinterpret_cast<void*>(kWindow), kWindowPages * kPage);
    }
}

}  // namespace
