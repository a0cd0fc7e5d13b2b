// Host tests of the VFS core: tmpfs files and directories, the path walk,
// and name operations. Most errno cases run twice, on our VFS and on the
// host kernel in a fresh temporary directory (with the same relative
// paths), and must agree: the host is the authority for Linux's answer.
#include "kernel/fs/vfs.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kernel/fs/device.hpp"
#include "kernel/fs/tmpfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

template <typename T>
std::string err(const lib::Expected<T>& r) {
    return r ? "OK" : lib::errno_name(r.error().code);
}

using fs::Context;
using fs::FileRef;
using fs::Path;

std::string errno_text(int e) { return e == 0 ? "OK" : lib::errno_name(lib::Errno(e)); }
template <typename T>
std::string result_text(const lib::Expected<T>& r) {
    return r ? "OK" : errno_text(int(r.error().code));
}

// One tmpfs as the root of a namespace, and a root Context.
struct World {
    vm::testing::SimulatedFrames frames{64ULL << 20};
    fs::Tmpfs* tmpfs = nullptr;
    Context context;

    World() {
        tmpfs = *fs::Tmpfs::make(frames, "tmpfs", 0755);
        fs::Mount* root = *fs::Mount::make_root(*tmpfs, 0);
        fs::set_root_mount(root);
        context = *fs::root_context();
        context.umask = 022;
    }

    const Path& cwd() const { return context.cwd; }

    lib::Expected<FileRef> open(const std::string& path, uint32_t flags, uint32_t mode = 0644) {
        return fs::open(context, cwd(), lib::StringView(path.data(), path.size()), flags, mode);
    }
    std::string write_file(const std::string& path, const std::string& data) {
        auto f = open(path, uapi::kO_WRONLY | uapi::kO_CREAT | uapi::kO_TRUNC);
        if (!f) return result_text(f);
        fs::IoBuffer::Segment s;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(s, const_cast<char*>(data.data()), data.size());
        auto n = (*f)->write(b);
        if (!n) return result_text(n);
        return *n == data.size() ? "OK" : "short";
    }
    std::string read_file(const std::string& path) {
        auto f = open(path, uapi::kO_RDONLY);
        if (!f) return "<" + result_text(f) + ">";
        std::string out;
        char chunk[1000];
        for (;;) {
            fs::IoBuffer::Segment s;
            fs::IoBuffer b = fs::IoBuffer::kernel_one(s, chunk, sizeof chunk);
            auto n = (*f)->read(b);
            if (!n) return "<" + result_text(n) + ">";
            if (*n == 0) break;
            out.append(chunk, *n);
        }
        return out;
    }
    lib::StringView sv(const std::string& s) { return {s.data(), s.size()}; }
};

// ---- The differential harness: the same operations on both systems.

struct Operations {
    virtual ~Operations() = default;
    virtual int mkdir(const std::string& p, int mode) = 0;
    virtual int open(const std::string& p, int flags, int mode) = 0;  // opens and closes
    virtual int unlink(const std::string& p) = 0;
    virtual int rmdir(const std::string& p) = 0;
    virtual int rename(const std::string& a, const std::string& b, unsigned flags) = 0;
    virtual int link(const std::string& a, const std::string& b, int flags) = 0;
    virtual int symlink(const std::string& target, const std::string& p) = 0;
    virtual int readlink(const std::string& p, std::string& out) = 0;
    virtual int stat(const std::string& p, int flags, uint32_t& mode) = 0;
    virtual int mknod(const std::string& p, int mode) = 0;
    virtual int truncate(const std::string& p, long length) = 0;
    virtual int access(const std::string& p, int mode) = 0;
};

struct HostOperations final : Operations {
    int dir;
    std::string root;
    HostOperations() {
        char tmpl[] = "/tmp/fs_vfs_test.XXXXXX";
        root = mkdtemp(tmpl);
        dir = ::open(root.c_str(), O_DIRECTORY | O_RDONLY);
    }
    ~HostOperations() override {
        ::close(dir);
        std::string cmd = "rm -rf '" + root + "'";
        if (system(cmd.c_str()) != 0) fprintf(stderr, "could not remove %s\n", root.c_str());
    }
    static int e(int r) { return r < 0 ? errno : 0; }
    int mkdir(const std::string& p, int mode) override { return e(mkdirat(dir, p.c_str(), mode)); }
    int open(const std::string& p, int flags, int mode) override {
        int fd = openat(dir, p.c_str(), flags, mode);
        if (fd < 0) return errno;
        ::close(fd);
        return 0;
    }
    int unlink(const std::string& p) override { return e(unlinkat(dir, p.c_str(), 0)); }
    int rmdir(const std::string& p) override { return e(unlinkat(dir, p.c_str(), AT_REMOVEDIR)); }
    int rename(const std::string& a, const std::string& b, unsigned flags) override {
        return e(int(syscall(SYS_renameat2, dir, a.c_str(), dir, b.c_str(), flags)));
    }
    int link(const std::string& a, const std::string& b, int flags) override {
        return e(linkat(dir, a.c_str(), dir, b.c_str(), flags));
    }
    int symlink(const std::string& target, const std::string& p) override {
        return e(symlinkat(target.c_str(), dir, p.c_str()));
    }
    int readlink(const std::string& p, std::string& out) override {
        char buf[4096];
        ssize_t n = readlinkat(dir, p.c_str(), buf, sizeof buf);
        if (n < 0) return errno;
        out.assign(buf, size_t(n));
        return 0;
    }
    int stat(const std::string& p, int flags, uint32_t& mode) override {
        struct stat st;
        if (fstatat(dir, p.c_str(), &st, flags) < 0) return errno;
        mode = st.st_mode;
        return 0;
    }
    int mknod(const std::string& p, int mode) override { return e(mknodat(dir, p.c_str(), mode, 0)); }
    int truncate(const std::string& p, long length) override {
        return e(::truncate((root + "/" + p).c_str(), length));
    }
    int access(const std::string& p, int mode) override { return e(faccessat(dir, p.c_str(), mode, 0)); }
};

struct OurOperations final : Operations {
    World& w;
    explicit OurOperations(World& world) : w(world) {}
    template <typename T>
    static int e(const lib::Expected<T>& r) {
        return r ? 0 : int(r.error().code);
    }
    lib::StringView sv(const std::string& s) { return {s.data(), s.size()}; }
    int mkdir(const std::string& p, int mode) override {
        return e(fs::make_directory(w.context, w.cwd(), sv(p), uint32_t(mode)));
    }
    int open(const std::string& p, int flags, int mode) override {
        return e(fs::open(w.context, w.cwd(), sv(p), uint32_t(flags), uint32_t(mode)));
    }
    int unlink(const std::string& p) override { return e(fs::unlink(w.context, w.cwd(), sv(p))); }
    int rmdir(const std::string& p) override { return e(fs::remove_directory(w.context, w.cwd(), sv(p))); }
    int rename(const std::string& a, const std::string& b, unsigned flags) override {
        return e(fs::rename(w.context, w.cwd(), sv(a), w.cwd(), sv(b), flags));
    }
    int link(const std::string& a, const std::string& b, int flags) override {
        return e(fs::make_link(w.context, w.cwd(), sv(a), w.cwd(), sv(b), uint32_t(flags)));
    }
    int symlink(const std::string& target, const std::string& p) override {
        return e(fs::make_symlink(w.context, sv(target), w.cwd(), sv(p)));
    }
    int readlink(const std::string& p, std::string& out) override {
        char buf[4096];
        auto n = fs::read_link(w.context, w.cwd(), sv(p), buf, sizeof buf);
        if (n) out.assign(buf, *n);
        return e(n);
    }
    int stat(const std::string& p, int flags, uint32_t& mode) override {
        auto s = fs::stat(w.context, w.cwd(), sv(p), uint32_t(flags));
        if (s) mode = s->st_mode;
        return e(s);
    }
    int mknod(const std::string& p, int mode) override {
        return e(fs::make_node(w.context, w.cwd(), sv(p), uint32_t(mode), 0));
    }
    int truncate(const std::string& p, long length) override {
        return e(fs::truncate(w.context, w.cwd(), sv(p), length));
    }
    int access(const std::string& p, int mode) override {
        return e(fs::access(w.context, w.cwd(), sv(p), uint32_t(mode), 0));
    }
};

// A scenario: a list of steps, each "op args" producing one result line.
using Script = std::function<void(Operations&, std::vector<std::string>&)>;

void compare_with_host(const Script& script) {
    HostOperations host;
    World world;
    OurOperations ours(world);
    std::vector<std::string> expected, actual;
    umask(022);
    script(host, expected);
    script(ours, actual);
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(expected[i], actual[i]) << "step " << i;
        if (expected[i] != actual[i]) {
            // The steps before the first difference, to reproduce it.
            for (size_t j = 0; j < i; ++j) ADD_FAILURE() << "before: " << expected[j];
            break;
        }
    }
}

#define STEP(expr) out.push_back(std::string(#expr) + " -> " + errno_text(expr))

// A tree used by several scripts: d/, d/f, d/e/, l -> d, dl -> missing, loop -> loop, f.
void make_tree(Operations& o) {
    o.mkdir("d", 0755);
    o.open("d/f", O_CREAT | O_WRONLY, 0644);
    o.mkdir("d/e", 0755);
    o.symlink("d", "l");
    o.symlink("missing", "dl");
    o.symlink("loop", "loop");
    o.open("f", O_CREAT | O_WRONLY, 0644);
    o.symlink("f", "fl");
    o.symlink("d/f/", "slash");
}

TEST(VfsDifferential, OpenFlags) {
    compare_with_host([](Operations& o, std::vector<std::string>& out) {
        make_tree(o);
        STEP(o.open("d/f", O_RDONLY, 0));
        STEP(o.open("d/f/", O_RDONLY, 0));
        STEP(o.open("d/f/x", O_RDONLY, 0));
        STEP(o.open("nope", O_RDONLY, 0));
        STEP(o.open("nope/x", O_CREAT | O_WRONLY, 0644));
        STEP(o.open("new", O_CREAT | O_EXCL | O_WRONLY, 0644));
        STEP(o.open("new", O_CREAT | O_EXCL | O_WRONLY, 0644));
        STEP(o.open("new2/", O_CREAT | O_WRONLY, 0644));
        STEP(o.open("d", O_CREAT | O_RDONLY, 0644));
        STEP(o.open("d", O_WRONLY, 0));
        STEP(o.open("d", O_RDWR, 0));
        STEP(o.open("d", O_RDONLY | O_TRUNC, 0));
        STEP(o.open("d", O_RDONLY | O_DIRECTORY, 0));
        STEP(o.open("f", O_RDONLY | O_DIRECTORY, 0));
        STEP(o.open("l", O_RDONLY | O_DIRECTORY, 0));
        STEP(o.open("l", O_RDONLY | O_NOFOLLOW, 0));
        STEP(o.open("l/", O_RDONLY | O_NOFOLLOW, 0));
        STEP(o.open("fl", O_RDONLY | O_NOFOLLOW, 0));
        STEP(o.open("fl", O_RDONLY | O_PATH | O_NOFOLLOW, 0));
        STEP(o.open("fl", O_CREAT | O_EXCL | O_WRONLY, 0644));
        STEP(o.open("dl", O_RDONLY, 0));
        STEP(o.open("dl", O_CREAT | O_WRONLY, 0644));  // makes "missing"
        STEP(o.open("missing", O_RDONLY, 0));
        STEP(o.open("loop", O_RDONLY, 0));
        STEP(o.open("loop", O_CREAT | O_WRONLY, 0644));
        STEP(o.open("slash", O_RDONLY, 0));
        STEP(o.open(".", O_RDONLY, 0));
        STEP(o.open(".", O_CREAT | O_RDONLY, 0644));
        STEP(o.open("..", O_RDONLY | O_DIRECTORY, 0));
        STEP(o.open("d/..", O_RDONLY, 0));
        STEP(o.open("f/..", O_RDONLY, 0));
        STEP(o.open("d/e/../f", O_RDONLY, 0));
        STEP(o.open("d//e///", O_RDONLY, 0));
        STEP(o.open("l/e/../f", O_RDONLY, 0));
        STEP(o.open(std::string(256, 'a'), O_RDONLY, 0));
        STEP(o.open(std::string(255, 'a'), O_RDONLY, 0));
        STEP(o.open(std::string(255, 'a'), O_CREAT | O_WRONLY, 0644));
    });
}

TEST(VfsDifferential, SymlinkLoops) {
    compare_with_host([](Operations& o, std::vector<std::string>& out) {
        o.mkdir("t", 0755);
        o.open("t/end", O_CREAT | O_WRONLY, 0644);
        // A chain of n links: l0 -> end, l1 -> l0, ... 40 follow, 41 do not.
        o.symlink("end", "t/l0");
        for (int i = 1; i <= 41; ++i) o.symlink("l" + std::to_string(i - 1), "t/l" + std::to_string(i));
        STEP(o.open("t/l39", O_RDONLY, 0));
        STEP(o.open("t/l40", O_RDONLY, 0));
        STEP(o.open("t/l41", O_RDONLY, 0));
        uint32_t mode = 0;
        STEP(o.stat("t/l41", AT_SYMLINK_NOFOLLOW, mode));
        STEP(o.stat("t/l40", 0, mode));
        STEP(o.stat("t/l41", 0, mode));
        // Links in the middle of a path count too.
        o.mkdir("m", 0755);
        o.symlink(".", "m/self");
        std::string deep = "m";
        for (int i = 0; i < 40; ++i) deep += "/self";
        STEP(o.open(deep, O_RDONLY, 0));
        STEP(o.open(deep + "/self", O_RDONLY, 0));
        o.symlink("a", "b");
        o.symlink("b", "a");
        STEP(o.open("a", O_RDONLY, 0));
        STEP(o.open("a/x", O_RDONLY, 0));
        STEP(o.mkdir("a/x", 0755));
        std::string target;
        STEP(o.readlink("a", target));
        STEP(o.readlink("t", target));
        STEP(o.readlink("t/nope", target));
    });
}

TEST(VfsDifferential, NameOperations) {
    compare_with_host([](Operations& o, std::vector<std::string>& out) {
        make_tree(o);
        STEP(o.mkdir("d", 0755));
        STEP(o.mkdir("d/", 0755));
        STEP(o.mkdir("n/", 0755));
        STEP(o.mkdir("n/", 0755));
        STEP(o.mkdir(".", 0755));
        STEP(o.mkdir("..", 0755));
        STEP(o.mkdir("f/x", 0755));
        STEP(o.mkdir("dl", 0755));
        STEP(o.mknod("node/", 0644 | S_IFREG));
        STEP(o.mknod("d/f/", 0644 | S_IFREG));
        STEP(o.mknod("dir", 0755 | S_IFDIR));
        STEP(o.mknod("fifo", 0644 | S_IFIFO));
        STEP(o.symlink("x", "f"));
        STEP(o.symlink("", "empty"));
        STEP(o.symlink("x", "sl/"));
        STEP(o.unlink("d"));
        STEP(o.unlink("d/"));
        STEP(o.unlink("f/"));
        STEP(o.unlink("nope/"));
        STEP(o.unlink("."));
        STEP(o.unlink("d/.."));
        STEP(o.unlink("l"));
        STEP(o.unlink("nope"));
        STEP(o.rmdir("f"));
        STEP(o.rmdir("d"));
        STEP(o.rmdir("d/."));
        STEP(o.rmdir("d/e/.."));
        STEP(o.rmdir("d/e/"));
        STEP(o.rmdir("nope"));
        STEP(o.link("f", "f2", 0));
        STEP(o.link("f", "f2", 0));
        STEP(o.link("d", "d2", 0));
        STEP(o.link("nope", "x", 0));
        STEP(o.link("f", "x/", 0));
        STEP(o.link("fl", "fl2", 0));
        STEP(o.link("fl", "fl3", AT_SYMLINK_FOLLOW));
        STEP(o.link("f", "f4", 0x4000));
        uint32_t mode = 0;
        STEP(o.stat("fl2", AT_SYMLINK_NOFOLLOW, mode));
        out.push_back("fl2 is a link: " + std::to_string(S_ISLNK(mode)));
        STEP(o.stat("fl3", AT_SYMLINK_NOFOLLOW, mode));
        out.push_back("fl3 is a file: " + std::to_string(S_ISREG(mode)));
        STEP(o.stat("f", 0x8000, mode));
        STEP(o.truncate("d", 0));
        STEP(o.truncate("f", -1));
        STEP(o.truncate("fifo", 0));
        STEP(o.truncate("fl", 10));
        STEP(o.access("f", R_OK | W_OK));
        STEP(o.access("f", X_OK));
        STEP(o.access("d", X_OK));
        STEP(o.access("f", 8));
    });
}

TEST(VfsDifferential, Rename) {
    compare_with_host([](Operations& o, std::vector<std::string>& out) {
        make_tree(o);
        o.mkdir("a", 0755);
        o.mkdir("a/b", 0755);
        o.mkdir("empty", 0755);
        o.mkdir("full", 0755);
        o.open("full/x", O_CREAT | O_WRONLY, 0644);
        STEP(o.rename("nope", "x", 0));
        STEP(o.rename("f", "f", 0));
        STEP(o.rename("f", "g", 0));
        STEP(o.rename("g", "f/", 0));
        STEP(o.rename("g/", "f", 0));
        STEP(o.rename("g", "d", 0));
        STEP(o.rename("d", "g", 0));
        STEP(o.rename("a", "a/b/c", 0));
        STEP(o.rename("a/b", "a", 0));
        STEP(o.rename("a", "empty", 0));
        STEP(o.rename("empty", "full", 0));
        STEP(o.rename("full", "full2/", 0));
        STEP(o.rename("g", "full2/x", 0));
        STEP(o.rename(".", "x", 0));
        STEP(o.rename("g", ".", 0));
        STEP(o.rename("g", "..", RENAME_NOREPLACE));
        STEP(o.rename("g", "full2", RENAME_NOREPLACE));
        STEP(o.rename("g", "nothere", RENAME_EXCHANGE));
        STEP(o.rename("g", "full2", RENAME_EXCHANGE));
        STEP(o.rename("g", "full2", RENAME_EXCHANGE | RENAME_NOREPLACE));
        STEP(o.rename("g", "h", 8));
        uint32_t mode = 0;
        STEP(o.stat("g", 0, mode));
        out.push_back("g is a dir: " + std::to_string(S_ISDIR(mode)));
        STEP(o.stat("full2", 0, mode));
        out.push_back("full2 is a file: " + std::to_string(S_ISREG(mode)));
        STEP(o.stat("g/x", 0, mode));
        // Hard links of one file: rename is a no-op.
        o.link("full2", "full3", 0);
        STEP(o.rename("full2", "full3", 0));
        STEP(o.stat("full2", 0, mode));
    });
}

// A random sequence of operations on a small name space, compared step by
// step with the host.
TEST(VfsDifferential, RandomOperations) {
    for (unsigned seed = 1; seed <= 30; ++seed) {
        compare_with_host([seed](Operations& o, std::vector<std::string>& out) {
            std::mt19937 random(seed);
            const std::vector<std::string> names = {"a", "b", "a/b", "b/a", "a/a", "c/", "a/b/c", "l", "a/l", ".", ".."};
            auto pick = [&] { return names[random() % names.size()]; };
            // A symlink to ".." would climb out of the host's test directory
            // (ours stops at its root): targets stay inside.
            const std::vector<std::string> targets = {"a", "b", "a/b", "c/", "a/b/c", "l", ".", "a/.."};
            for (int step = 0; step < 200; ++step) {
                std::string p = pick(), q = pick();
                uint32_t mode = 0;
                std::string target;
                switch (random() % 9) {
                case 0: out.push_back("mkdir " + p + " -> " + errno_text(o.mkdir(p, 0755))); break;
                case 1: out.push_back("creat " + p + " -> " + errno_text(o.open(p, O_CREAT | O_WRONLY, 0644))); break;
                case 2: out.push_back("unlink " + p + " -> " + errno_text(o.unlink(p))); break;
                case 3: out.push_back("rmdir " + p + " -> " + errno_text(o.rmdir(p))); break;
                case 4: out.push_back("rename " + p + " " + q + " -> " + errno_text(o.rename(p, q, 0))); break;
                case 5: out.push_back("link " + p + " " + q + " -> " + errno_text(o.link(p, q, 0))); break;
                case 6: {
                    std::string t = targets[random() % targets.size()];
                    out.push_back("symlink " + t + " " + p + " -> " + errno_text(o.symlink(t, p)));
                    break;
                }
                case 7: {
                    int r = o.stat(p, AT_SYMLINK_NOFOLLOW, mode);
                    out.push_back("lstat " + p + " -> " + errno_text(r) + " " + (r ? "" : std::to_string(mode & S_IFMT)));
                    break;
                }
                case 8: out.push_back("open " + p + " -> " + errno_text(o.open(p, O_RDONLY, 0))); break;
                }
            }
        });
    }
}

// ---- Unit tests of our own.

TEST(Vfs, FileDataRoundTripsAcrossPages) {
    World w;
    std::string data;
    for (int i = 0; i < 3 * 4096 + 123; ++i) data.push_back(char('a' + i % 26));
    ASSERT_EQ(w.write_file("big", data), "OK");
    EXPECT_EQ(w.read_file("big"), data);
    auto s = fs::stat(w.context, w.cwd(), "big", 0);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->st_size, int64_t(data.size()));
    EXPECT_EQ(s->st_mode, uapi::kS_IFREG | 0644);
    EXPECT_EQ(s->st_nlink, 1u);
    EXPECT_EQ(w.tmpfs->pages(), 4u);
}

TEST(Vfs, HolesReadZerosAndTruncateZeroesTheTail) {
    World w;
    auto f = w.open("sparse", uapi::kO_RDWR | uapi::kO_CREAT);
    ASSERT_TRUE(f);
    char x = 'x';
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &x, 1);
    ASSERT_TRUE((*f)->pwrite(b, 3 * 4096 + 10));
    std::string content = w.read_file("sparse");
    ASSERT_EQ(content.size(), 3 * 4096 + 11u);
    EXPECT_EQ(content.substr(0, 3 * 4096 + 10), std::string(3 * 4096 + 10, '\0'));
    EXPECT_EQ(content.back(), 'x');
    EXPECT_EQ(w.tmpfs->pages(), 1u);  // holes hold no pages
    // Shrink into the page, grow again: the cut bytes read as zeros.
    ASSERT_TRUE((*f)->truncate(3 * 4096 + 5));
    ASSERT_TRUE((*f)->truncate(3 * 4096 + 20));
    content = w.read_file("sparse");
    EXPECT_EQ(content, std::string(3 * 4096 + 20, '\0'));
    ASSERT_TRUE((*f)->truncate(0));
    EXPECT_EQ(w.tmpfs->pages(), 0u);
}

// statfs of a tmpfs without a size limit (docs/fs.md "tmpfs"): its size
// is what it holds plus the free memory it could still take, so df(1)
// shows it; writing a page moves one block from free to used.
TEST(Vfs, TmpfsStatfsCountsFreeMemoryAsItsRoom) {
    World w;
    uapi::Statfs before = w.tmpfs->statfs();
    EXPECT_EQ(uint64_t(before.f_type), uint64_t(uapi::kTMPFS_MAGIC));
    EXPECT_EQ(before.f_bsize, 4096);
    EXPECT_EQ(before.f_blocks, w.frames.free_frames());
    EXPECT_EQ(before.f_bfree, before.f_blocks);
    EXPECT_EQ(before.f_bavail, before.f_bfree);
    ASSERT_EQ(w.write_file("page", std::string(4096, 'p')), "OK");
    uapi::Statfs after = w.tmpfs->statfs();
    EXPECT_EQ(after.f_blocks - after.f_bfree, 1u);
    EXPECT_EQ(after.f_bfree, w.frames.free_frames());
    EXPECT_GT(before.f_blocks, 60ULL << 20 >> 12);  // most of the 64 MiB
}

// devpts is a tmpfs of device nodes that reports itself as devpts, with no
// blocks (df hides it, `stat -f` names it), as Linux's.
TEST(Vfs, DevptsStatfsIsDevptsWithoutBlocks) {
    // Kept for the program's life, as the kernel's instance is (file
    // systems are never destroyed).
    static vm::testing::SimulatedFrames frames{16ULL << 20};
    static fs::Tmpfs* devpts = *fs::Tmpfs::make(frames, "devpts", 0755);
    uapi::Statfs s = devpts->statfs();
    EXPECT_EQ(uint64_t(s.f_type), uint64_t(uapi::kDEVPTS_SUPER_MAGIC));
    EXPECT_EQ(s.f_blocks, 0u);
    EXPECT_EQ(s.f_bfree, 0u);
}

TEST(Vfs, UnlinkedFileLivesWhileOpen) {
    World w;
    ASSERT_EQ(w.write_file("f", "hello"), "OK");
    auto f = w.open("f", uapi::kO_RDONLY);
    ASSERT_TRUE(f);
    uint64_t inodes = w.tmpfs->live_inodes();
    ASSERT_TRUE(fs::unlink(w.context, w.cwd(), "f"));
    EXPECT_EQ(w.tmpfs->live_inodes(), inodes);
    EXPECT_EQ((*f)->stat().st_nlink, 0u);
    char buf[8];
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf, sizeof buf);
    auto n = (*f)->read(b);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(buf, *n), "hello");
    char name[64];
    auto len = fs::path_name(w.context.root, (*f)->path(), name, sizeof name);
    ASSERT_TRUE(len);
    EXPECT_EQ(std::string(name, *len), "/f (deleted)");
    f->reset();
    EXPECT_EQ(w.tmpfs->live_inodes(), inodes - 1);
    EXPECT_EQ(w.tmpfs->pages(), 0u);
}

TEST(Vfs, PositionsAppendAndSeek) {
    World w;
    ASSERT_EQ(w.write_file("f", "0123456789"), "OK");
    auto f = w.open("f", uapi::kO_RDWR | uapi::kO_APPEND);
    ASSERT_TRUE(f);
    EXPECT_EQ((*f)->flags(), uapi::kO_RDWR | uapi::kO_APPEND | uapi::kO_LARGEFILE);
    std::string more = "ab";
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, more.data(), more.size());
    ASSERT_TRUE((*f)->write(b));
    EXPECT_EQ((*f)->position(), 12);
    EXPECT_EQ(*(*f)->seek(-3, uapi::kSEEK_END), 9);
    EXPECT_EQ(*(*f)->seek(2, uapi::kSEEK_CUR), 11);
    EXPECT_EQ(err((*f)->seek(-20, uapi::kSEEK_CUR)), "EINVAL");
    EXPECT_EQ(err((*f)->seek(0, 7)), "EINVAL");
    EXPECT_EQ(*(*f)->seek(5, uapi::kSEEK_DATA), 5);
    EXPECT_EQ(*(*f)->seek(5, uapi::kSEEK_HOLE), 12);
    EXPECT_EQ(err((*f)->seek(12, uapi::kSEEK_DATA)), "ENXIO");
    EXPECT_EQ(*(*f)->seek(100, uapi::kSEEK_SET), 100);
    EXPECT_EQ(w.read_file("f"), "0123456789ab");
    auto ro = w.open("f", uapi::kO_RDONLY);
    fs::IoBuffer b2 = fs::IoBuffer::kernel_one(s, more.data(), more.size());
    EXPECT_EQ(err((*ro)->write(b2)), "EBADF");
    EXPECT_EQ(err((*ro)->truncate(0)), "EINVAL");
}

TEST(Vfs, UserCopiesThatFaultEndShort) {
    World w;
    std::string data(10000, 'q');
    ASSERT_EQ(w.write_file("f", data), "OK");
    auto f = w.open("f", uapi::kO_RDONLY);
    std::vector<char> buf(10000);
    fs::IoBuffer::Segment s;
    fs::host_fault_user_copies_after(5000);
    fs::IoBuffer b = fs::IoBuffer::user_one(s, uint64_t(buf.data()), buf.size());
    auto n = (*f)->read(b);
    fs::host_fault_user_copies_after(~size_t(0));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5000u);
    fs::host_fault_user_copies_after(0);
    fs::IoBuffer b2 = fs::IoBuffer::user_one(s, uint64_t(buf.data()), buf.size());
    auto m = (*f)->read(b2);
    fs::host_fault_user_copies_after(~size_t(0));
    ASSERT_FALSE(m);
    EXPECT_EQ(err(m), "EFAULT");
}

TEST(Vfs, ReadvWritevSpanSegments) {
    World w;
    auto f = w.open("v", uapi::kO_RDWR | uapi::kO_CREAT);
    char a[] = "abc", b[] = "", c[] = "defgh";
    fs::IoBuffer::Segment segs[3] = {{uint64_t(a), 3}, {uint64_t(b), 0}, {uint64_t(c), 5}};
    fs::IoBuffer out = fs::IoBuffer::user({segs, 3});
    ASSERT_EQ(*(*f)->write(out), 8u);
    char x[2], y[10];
    fs::IoBuffer::Segment in_segs[2] = {{uint64_t(x), 2}, {uint64_t(y), 10}};
    fs::IoBuffer in = fs::IoBuffer::user({in_segs, 2});
    ASSERT_EQ(*(*f)->pread(in, 0), 8u);
    EXPECT_EQ(std::string(x, 2), "ab");
    EXPECT_EQ(std::string(y, 6), "cdefgh");
}

std::vector<std::string> list_directory(World& w, const std::string& path, size_t buffer_size = 4096) {
    auto d = w.open(path, uapi::kO_RDONLY | uapi::kO_DIRECTORY);
    std::vector<std::string> names;
    if (!d) return {"<" + result_text(d) + ">"};
    std::vector<uint8_t> buf(buffer_size);
    for (;;) {
        fs::IoBuffer::Segment s;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf.data(), buf.size());
        auto n = (*d)->read_directory(b);
        if (!n) return {"<" + result_text(n) + ">"};
        if (*n == 0) break;
        for (size_t at = 0; at < *n;) {
            uint16_t reclen;
            memcpy(&reclen, &buf[at + 16], 2);
            EXPECT_EQ(reclen % 8, 0);
            names.push_back(std::string(reinterpret_cast<char*>(&buf[at + 19])) + ":" + std::to_string(buf[at + 18]));
            at += reclen;
        }
    }
    return names;
}

TEST(Vfs, GetdentsListsEveryEntryOnceWithTypes) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "d", 0755));
    std::set<std::string> expected = {".:4", "..:4"};
    for (int i = 0; i < 300; ++i) {
        std::string name = "d/file" + std::to_string(i);
        ASSERT_EQ(w.write_file(name, "x"), "OK");
        expected.insert("file" + std::to_string(i) + ":8");
    }
    ASSERT_TRUE(fs::make_symlink(w.context, "x", w.cwd(), "d/link"));
    expected.insert("link:10");
    for (size_t size : {size_t(32), size_t(100), size_t(4096), size_t(65536)}) {
        auto names = list_directory(w, "d", size);
        EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected) << size;
        EXPECT_EQ(names.size(), expected.size()) << size;
    }
    EXPECT_EQ(list_directory(w, "d", 8), std::vector<std::string>{"<EINVAL>"});
    auto s = fs::stat(w.context, w.cwd(), "d", 0);
    EXPECT_EQ(s->st_size, 20 * (301 + 2));
}

TEST(Vfs, GetdentsOfARemovedDirectoryIsENOENT) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "d", 0755));
    auto d = w.open("d", uapi::kO_RDONLY);
    ASSERT_TRUE(fs::remove_directory(w.context, w.cwd(), "d"));
    uint8_t buf[256];
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf, sizeof buf);
    EXPECT_EQ(err((*d)->read_directory(b)), "ENOENT");
}

TEST(Vfs, DotDotStopsAtTheRootAndCrossesMounts) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "mnt", 0755));
    fs::Tmpfs* other = *fs::Tmpfs::make(w.frames, "tmpfs", 01777);
    ASSERT_TRUE(fs::mount(w.context, *other, w.cwd(), "mnt", 0));
    ASSERT_EQ(w.write_file("mnt/inside", "in"), "OK");
    ASSERT_EQ(w.write_file("top", "top"), "OK");
    EXPECT_EQ(w.read_file("/../../top"), "top");
    EXPECT_EQ(w.read_file("mnt/../top"), "top");
    EXPECT_EQ(w.read_file("/mnt/inside"), "in");
    auto m = fs::stat(w.context, w.cwd(), "mnt", 0);
    EXPECT_EQ(m->st_mode, uapi::kS_IFDIR | 01777);  // the mounted root's
    auto t = fs::stat(w.context, w.cwd(), "top", 0);
    EXPECT_NE(m->st_dev, t->st_dev);
    EXPECT_EQ(err(fs::rename(w.context, w.cwd(), "top", w.cwd(), "mnt/top", 0)), "EXDEV");
    EXPECT_EQ(err(fs::make_link(w.context, w.cwd(), "top", w.cwd(), "mnt/top", 0)), "EXDEV");
    EXPECT_EQ(err(fs::remove_directory(w.context, w.cwd(), "mnt")), "EBUSY");
    // chdir into the mount, getcwd, then a chroot there.
    ASSERT_TRUE(fs::change_directory(w.context, w.cwd(), "mnt"));
    char buf[64];
    auto n = fs::current_directory(w.context, buf, sizeof buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(buf), "/mnt");
    EXPECT_EQ(*n, 5u);
    EXPECT_EQ(err(fs::current_directory(w.context, buf, 4)), "ERANGE");
    ASSERT_TRUE(fs::change_root(w.context, w.cwd(), "."));
    EXPECT_EQ(w.read_file("/inside"), "in");
    EXPECT_EQ(w.read_file("/../../inside"), "in");
    EXPECT_EQ(w.read_file("../top"), "<ENOENT>");
    ASSERT_TRUE(fs::current_directory(w.context, buf, sizeof buf));
    EXPECT_EQ(std::string(buf), "/");
}

TEST(Vfs, AbsoluteSymlinksResolveFromTheProcessRoot) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "jail", 0755));
    ASSERT_EQ(w.write_file("jail/etc", "jailed"), "OK");
    ASSERT_EQ(w.write_file("etc", "outside"), "OK");
    ASSERT_TRUE(fs::make_symlink(w.context, "/etc", w.cwd(), "jail/link"));
    EXPECT_EQ(w.read_file("jail/link"), "outside");
    ASSERT_TRUE(fs::change_root(w.context, w.cwd(), "jail"));
    ASSERT_TRUE(fs::change_directory(w.context, w.context.root, "/"));
    EXPECT_EQ(w.read_file("link"), "jailed");
}

TEST(Vfs, GetcwdOfARemovedDirectory) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "gone", 0755));
    ASSERT_TRUE(fs::change_directory(w.context, w.cwd(), "gone"));
    ASSERT_TRUE(fs::remove_directory(w.context, w.context.root, "gone"));
    char buf[64];
    EXPECT_EQ(err(fs::current_directory(w.context, buf, sizeof buf)), "ENOENT");
    EXPECT_EQ(err(fs::make_directory(w.context, w.cwd(), "x", 0755)), "ENOENT");
    EXPECT_EQ(err(w.open("y", uapi::kO_CREAT | uapi::kO_WRONLY)), "ENOENT");
}

TEST(Vfs, PermissionsForAnOrdinaryUser) {
    World w;
    ASSERT_TRUE(fs::make_directory(w.context, w.cwd(), "private", 0700));
    ASSERT_EQ(w.write_file("private/secret", "s"), "OK");
    ASSERT_EQ(w.write_file("readonly", "r"), "OK");
    ASSERT_TRUE(fs::change_mode(w.context, w.cwd(), "readonly", 0444, 0));
    Context user = w.context;
    user.credentials = {1000, 1000};
    EXPECT_EQ(err(fs::open(user, w.cwd(), "private/secret", uapi::kO_RDONLY, 0)), "EACCES");
    EXPECT_EQ(err(fs::open(user, w.cwd(), "readonly", uapi::kO_WRONLY, 0)), "EACCES");
    EXPECT_TRUE(fs::open(user, w.cwd(), "readonly", uapi::kO_RDONLY, 0));
    EXPECT_EQ(err(fs::make_directory(user, w.cwd(), "mine", 0755)), "EACCES");
    EXPECT_EQ(err(fs::change_mode(user, w.cwd(), "readonly", 0777, 0)), "EPERM");
    EXPECT_EQ(err(fs::access(user, w.cwd(), "readonly", uapi::kW_OK, 0)), "EACCES");
    // Root writes a read-only file but executes only with some x bit.
    EXPECT_TRUE(fs::open(w.context, w.cwd(), "readonly", uapi::kO_WRONLY, 0));
    EXPECT_EQ(err(fs::access(w.context, w.cwd(), "readonly", uapi::kX_OK, 0)), "EACCES");
    // chown clears set-user-ID.
    ASSERT_TRUE(fs::change_mode(w.context, w.cwd(), "readonly", 04755, 0));
    ASSERT_TRUE(fs::change_owner(w.context, w.cwd(), "readonly", 5, 5, 0));
    auto s = fs::stat(w.context, w.cwd(), "readonly", 0);
    EXPECT_EQ(s->st_mode & 07777, 0755u);
    EXPECT_EQ(s->st_uid, 5u);
}

TEST(Vfs, UtimensatRules) {
    World w;
    ASSERT_EQ(w.write_file("f", "x"), "OK");
    uapi::Timespec times[2] = {{100, 5}, {200, uapi::kUTIME_OMIT}};
    ASSERT_TRUE(fs::set_times(w.context, w.cwd(), "f", times, 0));
    auto s = fs::stat(w.context, w.cwd(), "f", 0);
    EXPECT_EQ(s->st_atime_sec, 100);
    EXPECT_EQ(s->st_atime_nsec, 5);
    uapi::Timespec bad[2] = {{0, 1000000000}, {0, 0}};
    EXPECT_EQ(err(fs::set_times(w.context, w.cwd(), "f", bad, 0)), "EINVAL");
    EXPECT_EQ(err(fs::set_times(w.context, w.cwd(), "f", times, 0x8000)), "EINVAL");
}

TEST(Vfs, MemoryDevices) {
    World w;
    ASSERT_TRUE(fs::register_memory_devices());
    ASSERT_TRUE(fs::make_node(w.context, w.cwd(), "null", uapi::kS_IFCHR | 0666, uapi::make_dev(1, 3)));
    ASSERT_TRUE(fs::make_node(w.context, w.cwd(), "zero", uapi::kS_IFCHR | 0666, uapi::make_dev(1, 5)));
    ASSERT_TRUE(fs::make_node(w.context, w.cwd(), "full", uapi::kS_IFCHR | 0666, uapi::make_dev(1, 7)));
    ASSERT_TRUE(fs::make_node(w.context, w.cwd(), "nodriver", uapi::kS_IFCHR | 0666, uapi::make_dev(99, 1)));
    EXPECT_EQ(w.read_file("null"), "");
    EXPECT_EQ(w.write_file("null", "gone"), "OK");
    auto z = w.open("zero", uapi::kO_RDONLY);
    char buf[600];
    memset(buf, 1, sizeof buf);
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf, sizeof buf);
    EXPECT_EQ(*(*z)->read(b), sizeof buf);
    EXPECT_EQ(std::string(buf, sizeof buf), std::string(sizeof buf, '\0'));
    auto f = w.open("full", uapi::kO_WRONLY);
    fs::IoBuffer b2 = fs::IoBuffer::kernel_one(s, buf, 1);
    EXPECT_EQ(err((*f)->write(b2)), "ENOSPC");
    EXPECT_EQ(err(w.open("nodriver", uapi::kO_RDONLY)), "ENXIO");
    auto st = fs::stat(w.context, w.cwd(), "zero", 0);
    EXPECT_EQ(st->st_rdev, uapi::make_dev(1, 5));
}

// The page cache is the mapping's backing: a page acquired for a mapping
// sees write(2)'s bytes, and truncation makes a page past the end ENXIO.
TEST(Vfs, BackingSharesThePageCache) {
    World w;
    ASSERT_EQ(w.write_file("m", std::string(5000, 'm')), "OK");
    auto f = w.open("m", uapi::kO_RDWR);
    vm::FileMapping mapping = (*f)->mapping();
    ASSERT_NE(mapping.backing, nullptr);
    EXPECT_TRUE(mapping.readable && mapping.writable);
    auto page = mapping.backing->acquire_page(1, false);
    ASSERT_TRUE(page);
    EXPECT_EQ(w.frames.at(*page)[0], 'm');
    EXPECT_EQ(w.frames.at(*page)[5000 - 4096], 0);
    w.frames.unref(*page);
    EXPECT_EQ(err(mapping.backing->acquire_page(2, false)), "ENXIO");
    ASSERT_TRUE((*f)->truncate(100));
    EXPECT_EQ(err(mapping.backing->acquire_page(1, false)), "ENXIO");
    auto d = w.open(".", uapi::kO_RDONLY);
    EXPECT_EQ((*d)->mapping().backing, nullptr);
}

TEST(Vfs, FramesComeBackWhenTheTreeGoes) {
    size_t before;
    {
        World w;
        before = w.frames.live();
        for (int i = 0; i < 20; ++i) ASSERT_EQ(w.write_file("f" + std::to_string(i), std::string(9000, 'z')), "OK");
        EXPECT_EQ(w.frames.live(), before + 60);
        for (int i = 0; i < 20; ++i) ASSERT_TRUE(fs::unlink(w.context, w.cwd(), w.sv("f" + std::to_string(i))));
        EXPECT_EQ(w.frames.live(), before);
    }
}

TEST(Vfs, OutOfMemoryIsENOMEMAndChangesNothing) {
    World w;
    for (long n = 0; n < 4; ++n) {
        vm::fail_allocation_after(n);
        auto r = fs::make_directory(w.context, w.cwd(), "x", 0755);
        vm::fail_allocation_after(-1);
        if (r) {
            ASSERT_TRUE(fs::remove_directory(w.context, w.cwd(), "x"));
            continue;
        }
        EXPECT_EQ(err(r), "ENOMEM");
        EXPECT_EQ(err(fs::stat(w.context, w.cwd(), "x", 0)), "ENOENT");
    }
}

}  // namespace
