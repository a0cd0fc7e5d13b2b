// The reverse map: pages that go from a backing object (a truncated file, a
// punched hole, MADV_REMOVE of shared memory) go from every address space
// mapping them, in every process, so the next access sees the object as it
// is now. Each case first asks the host kernel what a program sees in the
// same situation.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "kernel/vm/address_space.hpp"
#include "kernel/vm/testing.hpp"

namespace {

using vm::Access;
using vm::FaultResult;
using vm::testing::FakeFile;
using vm::testing::Space;
namespace pte = vm::pte;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = PROT_READ | PROT_WRITE;

uint8_t read_byte(vm::AddressSpace* space, uint64_t address) {
    uint8_t value = 0xee;
    EXPECT_TRUE(space->read_memory(address, &value, 1));
    return value;
}
void write_byte(vm::AddressSpace* space, uint64_t address, uint8_t value) {
    EXPECT_TRUE(space->write_memory(address, &value, 1));
}

// Runs `body` in a child process of the host; the signal that ended it, or
// 0 if it exited normally with status 0 (-1 otherwise).
template <typename Body>
int host_child(Body body) {
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGBUS, SIG_DFL);  // not the sanitizer's report: the plain death a program sees
        signal(SIGSEGV, SIG_DFL);
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return WTERMSIG(status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// A 4-page file truncated to 1 page + 10 bytes under its mappings: which
// access kills the program (0: none), on the host.
int host_truncate_outcome(int page, bool private_copy) {
    return host_child([&] {
        FILE* file = tmpfile();
        int fd = fileno(file);
        if (ftruncate(fd, 4 * kPage) != 0) _exit(2);
        int flags = private_copy ? MAP_PRIVATE : MAP_SHARED;
        auto* p = static_cast<volatile uint8_t*>(mmap(nullptr, 4 * kPage, kRw, flags, fd, 0));
        if (p == MAP_FAILED) _exit(2);
        for (int i = 0; i < 4; ++i) p[i * kPage] = 5;  // every page mapped (private: a copy)
        if (ftruncate(fd, kPage + 10) != 0) _exit(2);
        if (p[kPage + 10] != 0) _exit(3);  // the tail of the last page reads zero
        (void)p[page * kPage];
    });
}

TEST(ReverseMap, TruncateTakesPagesPastTheEndOutOfEveryProcess) {
    ASSERT_EQ(host_truncate_outcome(1, false), 0);
    ASSERT_EQ(host_truncate_outcome(2, false), SIGBUS);
    ASSERT_EQ(host_truncate_outcome(3, true), SIGBUS);  // private copies past the end go too

    Space s;
    FakeFile& file = s.file(std::vector<uint8_t>(4 * kPage, 5));
    vm::FileMapping rw{&file, true, true, false, false};
    uint64_t shared = *s->mmap(0, 4 * kPage, kRw, MAP_SHARED, &rw, 0);
    uint64_t copy = *s->mmap(0, 4 * kPage, kRw, MAP_PRIVATE, &rw, 0);
    for (uint64_t i = 0; i < 4; ++i) {
        EXPECT_EQ(read_byte(s.space, shared + i * kPage), 5);
        write_byte(s.space, copy + i * kPage, 6);
    }
    vm::AddressSpace* child = *s->fork();
    EXPECT_EQ(read_byte(child, shared + 3 * kPage), 5);
    s->entered(0);  // the parent runs on CPU 0: its stale translations must be flushed
    s.tlb.clear();

    file.truncate(kPage + 10);
    EXPECT_TRUE(s.tlb.flushed(shared + 2 * kPage, shared + 4 * kPage));
    for (vm::AddressSpace* space : {s.space, child}) {
        for (uint64_t i = 2; i < 4; ++i) {
            EXPECT_EQ(space->entry_at(shared + i * kPage) & pte::kPresent, 0u);
            EXPECT_EQ(space->handle_fault(shared + i * kPage, Access::kRead), FaultResult::kBusError);
            EXPECT_EQ(space->handle_fault(copy + i * kPage, Access::kRead), FaultResult::kBusError);
        }
        EXPECT_EQ(read_byte(space, shared + kPage), 5);
        EXPECT_EQ(read_byte(space, shared + kPage + 10), 0);
        EXPECT_EQ(read_byte(space, copy), 6);  // a private copy inside the file stays
    }
    vm::AddressSpace::destroy(child);
}

// A shared anonymous page removed in one process (fork's child) reads zero
// in the other too.
TEST(ReverseMap, RemoveInOneProcessEmptiesThePageForAll) {
    int host = host_child([] {
        auto* p = static_cast<volatile uint8_t*>(mmap(nullptr, 2 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
        p[0] = 7;
        p[kPage] = 8;
        if (host_child([p] {
                if (madvise(const_cast<uint8_t*>(p), kPage, MADV_REMOVE) != 0) _exit(2);
            }) != 0)
            _exit(2);
        if (p[0] != 0 || p[kPage] != 8) _exit(3);
    });
    ASSERT_EQ(host, 0);

    Space s;
    uint64_t a = *s->mmap(0, 2 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
    write_byte(s.space, a, 7);
    write_byte(s.space, a + kPage, 8);
    vm::AddressSpace* child = *s->fork();
    EXPECT_EQ(read_byte(child, a), 7);
    ASSERT_TRUE(child->madvise(a, kPage, MADV_REMOVE));
    EXPECT_EQ(s->entry_at(a) & pte::kPresent, 0u);
    EXPECT_EQ(read_byte(s.space, a), 0);
    EXPECT_EQ(read_byte(child, a), 0);
    EXPECT_EQ(pte::frame(s->entry_at(a)), pte::frame(child->entry_at(a)));  // one new page, shared
    EXPECT_EQ(read_byte(s.space, a + kPage), 8);
    vm::AddressSpace::destroy(child);
}

// One process faults a shared object's pages while another punches holes
// in it and a third goes away: no frame is freed twice or kept, and every
// page both map afterwards is the object's.
TEST(ReverseMap, FaultsRemovalsAndTeardownAtOnceLoseNothing) {
    constexpr uint64_t kPages = 16;
    for (int round = 0; round < 30; ++round) {
        Space s;
        uint64_t a = *s->mmap(0, kPages * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
        vm::AddressSpace* remover = *s->fork();
        vm::AddressSpace* leaver = *s->fork();
        std::atomic<int> ready{0};
        auto start_together = [&ready] {
            ready.fetch_add(1);
            while (ready.load() < 3) {
            }
        };
        std::thread faulter([&] {
            start_together();
            for (int pass = 0; pass < 4; ++pass)
                for (uint64_t i = 0; i < kPages; ++i)
                    EXPECT_EQ(s->handle_fault(a + i * kPage, Access::kWrite), FaultResult::kResolved);
        });
        std::thread punching([&] {
            start_together();
            for (int pass = 0; pass < 4; ++pass)
                for (uint64_t i = 0; i < kPages; i += 2)
                    EXPECT_TRUE(remover->madvise(a + i * kPage, kPage, MADV_REMOVE));
        });
        std::thread leaving([&] {
            start_together();
            for (uint64_t i = 0; i < kPages; ++i) (void)leaver->handle_fault(a + i * kPage, Access::kRead);
            vm::AddressSpace::destroy(leaver);
        });
        faulter.join();
        punching.join();
        leaving.join();
        for (uint64_t i = 0; i < kPages; ++i) {
            ASSERT_EQ(s->handle_fault(a + i * kPage, Access::kWrite), FaultResult::kResolved);
            ASSERT_EQ(remover->handle_fault(a + i * kPage, Access::kRead), FaultResult::kResolved);
            EXPECT_EQ(pte::frame(s->entry_at(a + i * kPage)), pte::frame(remover->entry_at(a + i * kPage)));
        }
        vm::AddressSpace::destroy(remover);
        ASSERT_TRUE(s->munmap(a, kPages * kPage));
        EXPECT_EQ(s.frames.live(), s.baseline);
    }
}

}  // namespace
