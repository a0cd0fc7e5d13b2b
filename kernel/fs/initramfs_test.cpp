// Host tests of the initramfs unpacker: an archive made by the host's
// cpio(1) from a real tree (files of many sizes, hard links, symlinks,
// empty files, modes, times) unpacks to the same tree, read back byte for
// byte; broken archives keep what was valid and report the rest.
#include "kernel/fs/initramfs.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/fs/tmpfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

struct Unpacked {
    vm::testing::SimulatedFrames frames{64ULL << 20};
    fs::Context context;
    std::vector<std::string> problems;
    fs::UnpackReport report;

    explicit Unpacked(const std::string& archive) {
        fs::Tmpfs* tmpfs = *fs::Tmpfs::make(frames, "rootfs", 0755);
        fs::set_root_mount(*fs::Mount::make_root(*tmpfs, 0));
        context = *fs::root_context();
        auto r = fs::unpack_cpio(context, context.root,
                                 lib::Bytes(reinterpret_cast<const uint8_t*>(archive.data()), archive.size()),
                                 [](void* c, const fs::cpio::Problem& p, const lib::Error* e) {
                                     auto* self = static_cast<Unpacked*>(c);
                                     self->problems.push_back(std::to_string(p.offset) + ": " + p.message +
                                                              (e ? std::string(" ") + lib::errno_name(e->code) : ""));
                                 },
                                 this);
        EXPECT_TRUE(r);
        report = *r;
    }

    std::string read(const std::string& path) {
        auto f = fs::open(context, context.cwd, lib::StringView(path.data(), path.size()), uapi::kO_RDONLY, 0);
        if (!f) return std::string("<") + lib::errno_name(f.error().code) + ">";
        std::string out;
        std::vector<char> chunk(7919);  // odd-sized reads cross page edges
        for (;;) {
            fs::IoBuffer::Segment s;
            fs::IoBuffer b = fs::IoBuffer::kernel_one(s, chunk.data(), chunk.size());
            size_t n = *(*f)->read(b);
            if (!n) break;
            out.append(chunk.data(), n);
        }
        return out;
    }
    uapi::Stat lstat(const std::string& path) {
        return *fs::stat(context, context.cwd, lib::StringView(path.data(), path.size()), uapi::kAT_SYMLINK_NOFOLLOW);
    }
};

std::string run(const std::string& command) {
    FILE* p = popen(command.c_str(), "r");
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << command;
    return out;
}

std::string file_content(size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string s(size, '\0');
    for (char& c : s) c = char(random());
    return s;
}

TEST(Initramfs, UnpacksWhatHostCpioPacked) {
    char tmpl[] = "/tmp/fs_initramfs_test.XXXXXX";
    std::string root = mkdtemp(tmpl);
    auto put = [&](const std::string& path, const std::string& data, mode_t mode) {
        std::ofstream(root + "/" + path, std::ios::binary) << data;
        chmod((root + "/" + path).c_str(), mode);
    };
    mkdir((root + "/bin").c_str(), 0755);
    mkdir((root + "/etc").c_str(), 0700);
    mkdir((root + "/empty").c_str(), 0755);
    // Sizes around page edges: the reads must see every byte, at any layout.
    std::vector<size_t> sizes = {0, 1, 4095, 4096, 4097, 8191, 8192, 12289, 100000, 1 << 20};
    for (size_t i = 0; i < sizes.size(); ++i)
        put("bin/f" + std::to_string(i), file_content(sizes[i], unsigned(i)), 0755);
    put("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
    link((root + "/bin/f4").c_str(), (root + "/bin/hard").c_str());
    symlink("f3", (root + "/bin/soft").c_str());
    symlink("/etc/passwd", (root + "/abs").c_str());
    struct timespec times[2] = {{1000000, 0}, {1000000, 0}};
    utimensat(AT_FDCWD, (root + "/etc/passwd").c_str(), times, AT_SYMLINK_NOFOLLOW);
    utimensat(AT_FDCWD, (root + "/etc").c_str(), times, 0);
    std::string archive = run("cd '" + root + "' && find . | LC_ALL=C sort | cpio -o -H newc --quiet");
    Unpacked u(archive);
    EXPECT_TRUE(u.problems.empty()) << u.problems[0];
    EXPECT_TRUE(u.report.clean_end);
    for (size_t i = 0; i < sizes.size(); ++i) {
        std::string path = "bin/f" + std::to_string(i);
        std::string expected = file_content(sizes[i], unsigned(i));
        std::string got = u.read(path);
        ASSERT_EQ(got.size(), expected.size()) << path;
        EXPECT_TRUE(got == expected) << path;
        EXPECT_EQ(u.lstat(path).st_mode, uapi::kS_IFREG | 0755) << path;
    }
    EXPECT_EQ(u.read("bin/hard"), file_content(sizes[4], 4));
    EXPECT_EQ(u.lstat("bin/hard").st_ino, u.lstat("bin/f4").st_ino);
    EXPECT_EQ(u.lstat("bin/hard").st_nlink, 2u);
    EXPECT_EQ(u.read("bin/soft"), file_content(sizes[3], 3));
    EXPECT_EQ(u.read("abs"), "root:x:0:0::/root:/bin/sh\n");
    EXPECT_EQ(u.lstat("etc").st_mode, uapi::kS_IFDIR | 0700);
    EXPECT_EQ(u.lstat("etc").st_mtime_sec, 1000000);
    EXPECT_EQ(u.lstat("etc/passwd").st_mtime_sec, 1000000);
    EXPECT_EQ(u.lstat("abs").st_mode & uapi::kS_IFMT, uapi::kS_IFLNK);
    run("rm -rf '" + root + "'");
}

std::string newc(const std::string& name, uint32_t mode, const std::string& data, uint32_t nlink = 1,
                 uint32_t ino = 1) {
    char header[111];
    snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0, 0,
             nlink, 0, unsigned(data.size()), 0, 0, 0, 0, unsigned(name.size() + 1), 0);
    std::string e = header + name + '\0';
    while (e.size() % 4) e += '\0';
    e += data;
    while (e.size() % 4) e += '\0';
    return e;
}

TEST(Initramfs, BrokenEntriesAreReportedAndTheRestKept) {
    std::string archive = newc("good", 0100644, "fine") + newc("../evil", 0100644, "x") +
                          newc("nodir/file", 0100644, "y") + newc("dir", 040755, "") + newc("dir/ok", 0100600, "z") +
                          newc("TRAILER!!!", 0, "");
    Unpacked u(archive);
    EXPECT_EQ(u.read("good"), "fine");
    EXPECT_EQ(u.read("dir/ok"), "z");
    ASSERT_EQ(u.problems.size(), 2u);
    EXPECT_NE(u.problems[0].find("\"..\""), std::string::npos) << u.problems[0];
    EXPECT_NE(u.problems[1].find("ENOENT"), std::string::npos) << u.problems[1];
    EXPECT_EQ(u.report.entries, 3u);
}

TEST(Initramfs, LaterEntriesReplaceEarlierOnes) {
    std::string archive = newc("a", 0100644, "first") + newc("a", 0100600, "second") + newc("d", 040700, "") +
                          newc("d/x", 0100644, "x") + newc("d", 040755, "") + newc("TRAILER!!!", 0, "");
    Unpacked u(archive);
    EXPECT_TRUE(u.problems.empty());
    EXPECT_EQ(u.read("a"), "second");
    EXPECT_EQ(u.lstat("a").st_mode, uapi::kS_IFREG | 0600);
    EXPECT_EQ(u.read("d/x"), "x");
    EXPECT_EQ(u.lstat("d").st_mode, uapi::kS_IFDIR | 0755);
}

// Fuzz: truncated and mutated archives never crash the unpacker, and what
// it made is a consistent tree (every file reads to its size).
TEST(Initramfs, FuzzedArchives) {
    std::string base;
    for (int i = 0; i < 12; ++i)
        base += newc("f" + std::to_string(i), 0100644, file_content(size_t(i) * 700, unsigned(i)), i % 3 ? 1 : 2,
                     unsigned(i % 4));
    base += newc("dir", 040755, "") + newc("dir/link", 0120777, "../f1") + newc("TRAILER!!!", 0, "");
    std::mt19937 random(7);
    for (int round = 0; round < 200; ++round) {
        std::string a = base;
        if (round % 2) a.resize(random() % a.size());
        for (int flips = random() % 8; flips > 0; --flips) a[random() % a.size()] = char(random());
        Unpacked u(a);
        for (int i = 0; i < 12; ++i) {
            std::string name = "f" + std::to_string(i);
            auto st = fs::stat(u.context, u.context.cwd, lib::StringView(name.data(), name.size()), 0);
            if (!st || (st->st_mode & uapi::kS_IFMT) != uapi::kS_IFREG) continue;
            EXPECT_EQ(u.read(name).size(), size_t(st->st_size));
        }
    }
}

}  // namespace
