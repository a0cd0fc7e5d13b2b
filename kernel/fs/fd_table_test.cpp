// Host tests of the descriptor table: lowest free number, dup/dup2/dup3
// rules, close-on-exec, close_range, fork copies sharing descriptions,
// RLIMIT_NOFILE (EMFILE, F_DUPFD's EINVAL), and that a description is
// released exactly when its last descriptor goes.
#include "kernel/fs/fd_table.hpp"

#include <gtest/gtest.h>

#include "kernel/fs/tmpfs.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

template <typename T>
std::string err(const lib::Expected<T>& r) {
    return r ? "OK" : lib::errno_name(r.error().code);
}

struct Fixture {
    vm::testing::SimulatedFrames frames{16ULL << 20};
    fs::Context context;
    fs::FdTable* table = nullptr;
    Fixture() {
        fs::Tmpfs* tmpfs = *fs::Tmpfs::make(frames, "tmpfs", 0755);
        fs::set_root_mount(*fs::Mount::make_root(*tmpfs, 0));
        context = *fs::root_context();
        table = *fs::FdTable::make();
    }
    ~Fixture() { table->release(); }
    fs::File* open(const char* name) {
        auto f = fs::open(context, context.cwd, name, uapi::kO_RDWR | uapi::kO_CREAT, 0644);
        EXPECT_TRUE(f);
        return f->take();
    }
    int install(const char* name, bool cloexec = false) { return *table->install(open(name), cloexec); }
};

TEST(FdTable, LowestFreeNumber) {
    Fixture f;
    EXPECT_EQ(f.install("a"), 0);
    EXPECT_EQ(f.install("b"), 1);
    EXPECT_EQ(f.install("c"), 2);
    ASSERT_TRUE(f.table->close(1));
    EXPECT_EQ(err(f.table->close(1)), "EBADF");
    EXPECT_EQ(f.install("d"), 1);
    EXPECT_EQ(err(f.table->get(7)), "EBADF");
    EXPECT_EQ(err(f.table->get(-1)), "EBADF");
    EXPECT_EQ(f.table->count(), 3u);
}

TEST(FdTable, DupRules) {
    Fixture f;
    int a = f.install("a");
    EXPECT_EQ(*f.table->duplicate(a, 0, false), 1);
    EXPECT_EQ(*f.table->duplicate(a, 10, true), 10);
    EXPECT_TRUE(*f.table->close_on_exec(10));
    EXPECT_FALSE(*f.table->close_on_exec(1));
    EXPECT_EQ(err(f.table->duplicate(a, 1024, false)), "EINVAL");
    EXPECT_EQ(err(f.table->duplicate(99, 0, false)), "EBADF");
    // dup2 onto itself returns it; dup3 refuses.
    EXPECT_EQ(*f.table->duplicate_to(a, a, 0, false), a);
    EXPECT_EQ(err(f.table->duplicate_to(a, a, 0, true)), "EINVAL");
    EXPECT_EQ(err(f.table->duplicate_to(a, 5, 1, true)), "EINVAL");
    EXPECT_EQ(err(f.table->duplicate_to(a, 1024, 0, false)), "EBADF");
    EXPECT_EQ(err(f.table->duplicate_to(a, -1, 0, false)), "EBADF");
    EXPECT_EQ(err(f.table->duplicate_to(42, 3, 0, false)), "EBADF");
    EXPECT_EQ(*f.table->duplicate_to(a, 3, uapi::kO_CLOEXEC, true), 3);
    EXPECT_TRUE(*f.table->close_on_exec(3));
    // dup2 over an open descriptor replaces it (its description released).
    int b = f.install("b");
    EXPECT_EQ(*f.table->duplicate_to(a, b, 0, false), b);
    EXPECT_EQ(f.table->get(b)->get(), f.table->get(a)->get());
    // Shared description: one position for both.
    auto fa = *f.table->get(a);
    ASSERT_TRUE(fa->seek(7, uapi::kSEEK_SET));
    EXPECT_EQ((*f.table->get(1))->position(), 7);
}

TEST(FdTable, LimitGivesEMFILE) {
    Fixture f;
    for (int i = 0; i < 8; ++i) ASSERT_EQ(*f.table->install(f.open("x"), false, 8), i);
    fs::File* extra = f.open("y");
    EXPECT_EQ(err(f.table->install(extra, false, 8)), "EMFILE");
    extra->release();
    EXPECT_EQ(err(f.table->duplicate(0, 0, false, 8)), "EMFILE");
}

TEST(FdTable, CloseOnExecAndCloseRange) {
    Fixture f;
    for (int i = 0; i < 6; ++i) f.install("x", i % 2 == 1);
    f.table->close_on_exec_now();
    EXPECT_EQ(f.table->count(), 3u);
    EXPECT_TRUE(f.table->get(0));
    EXPECT_FALSE(f.table->get(1));
    ASSERT_TRUE(f.table->close_range(0, 2, uapi::kCLOSE_RANGE_CLOEXEC));
    EXPECT_TRUE(*f.table->close_on_exec(2));
    ASSERT_TRUE(f.table->close_range(3, ~0u, 0));
    EXPECT_EQ(f.table->count(), 2u);
    EXPECT_EQ(err(f.table->close_range(5, 4, 0)), "EINVAL");
    EXPECT_EQ(err(f.table->close_range(0, 1, 8)), "EINVAL");
}

TEST(FdTable, ForkCopySharesDescriptions) {
    Fixture f;
    uint64_t inodes = f.context.root.inode()->file_system().live_inodes();
    int a = f.install("a");
    ASSERT_TRUE(fs::unlink(f.context, f.context.cwd, "a"));
    fs::FdTable* child = *f.table->copy();
    auto in_parent = *f.table->get(a);
    auto in_child = *child->get(a);
    EXPECT_EQ(in_parent.get(), in_child.get());
    in_parent.reset();
    in_child.reset();
    ASSERT_TRUE(f.table->close(a));
    // The child's descriptor keeps the unlinked file alive.
    EXPECT_EQ(f.context.root.inode()->file_system().live_inodes(), inodes + 1);
    child->release();
    EXPECT_EQ(f.context.root.inode()->file_system().live_inodes(), inodes);
}

TEST(FdTable, PathDescriptorsOnlyWhereAllowed) {
    Fixture f;
    auto p = fs::open(f.context, f.context.cwd, ".", uapi::kO_PATH, 0);
    ASSERT_TRUE(p);
    int fd = *f.table->install(p->take(), false);
    EXPECT_EQ(err(f.table->get(fd)), "EBADF");
    EXPECT_TRUE(f.table->get(fd, true));
    EXPECT_FALSE(f.table->borrow(fd, true));  // EBADF
    EXPECT_FALSE(f.table->borrow(fd, false));
}

// One system call's look (read/write): the description, EBADF for a bad
// number either way; with a reference of its own unless the caller is the
// table's only user (then a close cannot happen before the call ends).
TEST(FdTable, BorrowForOneCall) {
    Fixture f;
    for (bool sole : {true, false}) {
        EXPECT_FALSE(f.table->borrow(-1, sole));  // EBADF
        EXPECT_FALSE(f.table->borrow(5, sole));
        EXPECT_FALSE(f.table->borrow(1 << 30, sole));
    }
    uint64_t inodes = f.context.root.inode()->file_system().live_inodes();
    int a = f.install("a");
    ASSERT_TRUE(fs::unlink(f.context, f.context.cwd, "a"));
    {
        auto sole = f.table->borrow(a, true);
        ASSERT_TRUE(sole);
        EXPECT_EQ(sole.get(), f.table->get(a)->get());
    }
    // Another thread's call (not the sole task), or a table with two users
    // (CLONE_FILES): the file outlives a close that races with the call.
    for (bool shared_table : {false, true}) {
        if (shared_table) f.table->retain();
        auto borrowed = f.table->borrow(a, shared_table);
        ASSERT_TRUE(borrowed);
        ASSERT_TRUE(f.table->close(a));
        EXPECT_EQ(f.context.root.inode()->file_system().live_inodes(), inodes + 1);
        EXPECT_EQ(borrowed->stat().st_nlink, 0u);  // still usable
        borrowed->retain();  // the table's reference, installed again
        a = *f.table->install(borrowed.get(), false);
        if (shared_table) f.table->release();
    }
    ASSERT_TRUE(f.table->close(a));
    EXPECT_EQ(f.context.root.inode()->file_system().live_inodes(), inodes);
}

}  // namespace
