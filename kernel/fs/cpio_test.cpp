// Host tests of the cpio newc reader: archives written by this machine's
// cpio(1) (GNU cpio) from a real directory, compared field by field with
// lstat(2); hand-made broken archives, each problem at its exact offset; and a
// fuzz loop (under ASan and UBSan) over mutated and truncated archives.
#include "kernel/fs/cpio.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>
#include <string_view>
#include <random>
#include <string>
#include <vector>

using namespace std::string_literals;

namespace {

using fs::cpio::Entry;
using fs::cpio::Problem;
using fs::cpio::Reader;

struct Parsed {
    struct Item {
        std::string path;
        Entry entry;
        std::string data;
    };
    std::vector<Item> entries;
    std::vector<Problem> problems;
    bool clean = false;

    const Item* find(const std::string& path) const {
        for (const Item& item : entries)
            if (item.path == path) return &item;
        return nullptr;
    }
    std::string problem_text() const {
        std::string text;
        for (const Problem& p : problems) text += std::to_string(p.offset) + ": " + p.message + "\n";
        return text;
    }
};

Parsed parse(const std::string& archive) {
    Parsed parsed;
    Reader reader(lib::Bytes(reinterpret_cast<const uint8_t*>(archive.data()), archive.size()));
    Entry entry;
    Problem problem;
    for (size_t guard = 0; guard < archive.size() + 10; ++guard) {
        Reader::Result result = reader.next(entry, problem);
        if (result == Reader::Result::kEnd) break;
        if (result == Reader::Result::kProblem) {
            parsed.problems.push_back(problem);
            continue;
        }
        parsed.entries.push_back({std::string(entry.path.data(), entry.path.size()), entry,
                                  std::string(reinterpret_cast<const char*>(entry.data.data()), entry.data.size())});
    }
    parsed.clean = reader.ended_cleanly();
    return parsed;
}

// --- archives written by hand --------------------------------------------------

struct Fields {
    uint32_t ino = 1, mode = fs::cpio::kRegular | 0644, uid = 0, gid = 0, nlink = 1, mtime = 0;
    uint32_t dev_major = 0, dev_minor = 0, rdev_major = 0, rdev_minor = 0;
    int64_t name_size = -1;  // -1: the name's length + 1
    int64_t file_size = -1;  // -1: the data's length
    uint32_t check = 0;
    const char* magic = "070701";
};

std::string hex8(uint32_t value) {
    char text[9];
    snprintf(text, sizeof text, "%08X", value);
    return text;
}

void pad4(std::string& s) {
    while (s.size() % 4) s.push_back('\0');
}

// One entry; `name` is written with a NUL unless name_size says otherwise.
std::string entry(const std::string& name, const std::string& data = "", Fields f = {}) {
    std::string out = f.magic;
    const uint32_t name_size = f.name_size >= 0 ? uint32_t(f.name_size) : uint32_t(name.size() + 1);
    const uint32_t file_size = f.file_size >= 0 ? uint32_t(f.file_size) : uint32_t(data.size());
    for (uint32_t v : {f.ino, f.mode, f.uid, f.gid, f.nlink, f.mtime, file_size, f.dev_major, f.dev_minor,
                       f.rdev_major, f.rdev_minor, name_size, f.check})
        out += hex8(v);
    out += name;
    out.push_back('\0');
    pad4(out);
    out += data;
    pad4(out);
    return out;
}
std::string trailer() {
    return entry("TRAILER!!!", "", Fields{.ino = 0, .mode = 0, .nlink = 1});
}
Fields dir_fields() {
    return Fields{.mode = fs::cpio::kDirectory | 0755, .nlink = 2};
}

TEST(Cpio, HandMadeArchive) {
    const std::string archive = entry(".", "", dir_fields()) + entry("bin", "", dir_fields()) +
                                entry("bin/hello", "#!/bin/sh\necho hi\n", Fields{.mode = 0100755, .uid = 7, .gid = 9}) +
                                entry("sh", "bin/hello", Fields{.mode = fs::cpio::kSymlink | 0777}) +
                                entry("dev/console", "", Fields{.mode = fs::cpio::kCharDevice | 0600, .rdev_major = 5,
                                                                .rdev_minor = 1}) +
                                trailer();
    Parsed parsed = parse(archive);
    EXPECT_EQ(parsed.problem_text(), "");
    EXPECT_TRUE(parsed.clean);
    ASSERT_EQ(parsed.entries.size(), 5u);
    EXPECT_EQ(parsed.entries[0].path, "");
    EXPECT_EQ(parsed.entries[0].entry.type(), fs::cpio::kDirectory);
    const Parsed::Item* hello = parsed.find("bin/hello");
    ASSERT_NE(hello, nullptr);
    EXPECT_EQ(hello->data, "#!/bin/sh\necho hi\n");
    EXPECT_EQ(hello->entry.permissions(), 0755u);
    EXPECT_EQ(hello->entry.uid, 7u);
    EXPECT_EQ(hello->entry.gid, 9u);
    EXPECT_EQ(parsed.find("sh")->data, "bin/hello");
    EXPECT_EQ(parsed.find("dev/console")->entry.rdev_major, 5u);
    EXPECT_EQ(parsed.find("dev/console")->entry.rdev_minor, 1u);
    // Offsets: each header where the previous entry (with padding) ended.
    EXPECT_EQ(parsed.entries[0].entry.offset, 0u);
    EXPECT_EQ(parsed.entries[1].entry.offset, 112u);  // 110 + "." + NUL = 112
}

TEST(Cpio, NamesAreNormalised) {
    const std::string archive = entry("/etc", "", dir_fields()) + entry("./etc//./passwd/", "root:x:0:0::/:/bin/sh\n") +
                                entry("/", "", dir_fields()) + entry("./", "", dir_fields()) + trailer();
    Parsed parsed = parse(archive);
    EXPECT_EQ(parsed.problem_text(), "");
    ASSERT_EQ(parsed.entries.size(), 4u);
    EXPECT_EQ(parsed.entries[0].path, "etc");
    EXPECT_EQ(parsed.entries[1].path, "etc/passwd");
    EXPECT_EQ(parsed.entries[2].path, "");
    EXPECT_EQ(parsed.entries[3].path, "");
}

// Problems inside one entry skip that entry and the walk goes on.
TEST(Cpio, BadEntriesAreSkippedWithTheirOffset) {
    std::string archive;
    auto add = [&](const std::string& e) {
        const size_t at = archive.size();
        archive += e;
        return at;
    };
    const size_t dotdot = add(entry("../escape", "x"));
    const size_t inner = add(entry("a/../../b", "x"));
    const size_t unterminated = add(entry("abc", "", Fields{.name_size = 3}));  // "abc" with no NUL counted
    const size_t nul_inside = add(entry(std::string("a\0b", 3), ""));
    const size_t dir_with_data = add(entry("d", "data", dir_fields()));
    const size_t unknown_type = add(entry("weird", "", Fields{.mode = 0170644}));
    const size_t empty_link = add(entry("l", "", Fields{.mode = fs::cpio::kSymlink | 0777}));
    const size_t file_root = add(entry(".", "x"));
    const size_t long_name = add(entry(std::string(5000, 'n'), ""));
    const size_t bad_sum = add(entry("sum", "abc", Fields{.check = 1, .magic = "070702"}));
    add(entry("good", "ok"));
    add(entry("sum_ok", "abc", Fields{.check = 'a' + 'b' + 'c', .magic = "070702"}));
    add(trailer());

    Parsed parsed = parse(archive);
    ASSERT_EQ(parsed.entries.size(), 2u) << parsed.problem_text();
    EXPECT_EQ(parsed.entries[0].path, "good");
    EXPECT_EQ(parsed.entries[1].path, "sum_ok");
    EXPECT_TRUE(parsed.clean);
    auto problem = [&](size_t i) { return std::to_string(parsed.problems[i].offset) + " " + parsed.problems[i].message; };
    ASSERT_EQ(parsed.problems.size(), 10u);
    EXPECT_EQ(problem(0), std::to_string(dotdot + 110) + " name has a \"..\" component");
    EXPECT_EQ(std::string(parsed.problems[0].name.data(), parsed.problems[0].name.size()), "../escape");
    EXPECT_EQ(problem(1), std::to_string(inner + 110) + " name has a \"..\" component");
    EXPECT_EQ(problem(2), std::to_string(unterminated + 110 + 2) + " name is not NUL-terminated");
    EXPECT_EQ(problem(3), std::to_string(nul_inside + 110 + 1) + " NUL inside the name");
    EXPECT_EQ(problem(4), std::to_string(dir_with_data + 112) + " data on a directory, device node, FIFO or socket");
    EXPECT_EQ(problem(5), std::to_string(unknown_type + 14) + " unknown file type in mode");
    EXPECT_EQ(problem(6), std::to_string(empty_link + 112) + " symlink without a target");
    EXPECT_EQ(problem(7), std::to_string(file_root + 110) + " the root can only be a directory");
    EXPECT_EQ(problem(8), std::to_string(long_name + 110) + " name longer than PATH_MAX");
    EXPECT_EQ(problem(9), std::to_string(bad_sum + 116) + " data checksum mismatch");
}

// Problems that lose the place of the next header end the walk.
TEST(Cpio, StructuralProblemsEndTheWalk) {
    const std::string good = entry("a", "1");
    auto single_problem = [&](const std::string& archive) {
        Parsed parsed = parse(archive);
        EXPECT_EQ(parsed.entries.size(), 1u);
        EXPECT_FALSE(parsed.clean);
        return parsed.problems.size() == 1 ? std::to_string(parsed.problems[0].offset) + " " + parsed.problems[0].message
                                           : parsed.problem_text();
    };
    const size_t g = good.size();
    EXPECT_EQ(single_problem(good + "garbage!"), std::to_string(g) + " truncated header");
    EXPECT_EQ(single_problem(good + std::string(110, 'x')), std::to_string(g) + " no cpio newc magic (070701 or 070702)");
    EXPECT_EQ(single_problem(good + "070707" + std::string(104, '0')),
              std::to_string(g) + " old (odc) cpio format; expected newc (070701)");
    std::string bad_digit = entry("b", "2");
    bad_digit[6 + 8 * 2 + 5] = 'g';  // the uid field
    EXPECT_EQ(single_problem(good + bad_digit), std::to_string(g + 6 + 16 + 5) + " header field is not hexadecimal");
    EXPECT_EQ(single_problem(good + entry("c", "", Fields{.name_size = 1000})),
              std::to_string(g + 6 + 8 * 11) + " name runs past the end of the archive");
    EXPECT_EQ(single_problem(good + entry("c", "", Fields{.file_size = 0xFFFFFFFF})),
              std::to_string(g + 6 + 8 * 6) + " data runs past the end of the archive");
    EXPECT_EQ(single_problem(good), std::to_string(g) + " the archive ends without a TRAILER!!! entry");
    EXPECT_EQ(single_problem(good + trailer() + "\0\0\0\0"s + std::string(200, 'j')),
              std::to_string(g + trailer().size() + 4) + " no cpio newc magic (070701 or 070702)");
    EXPECT_EQ(single_problem(good + trailer() + "\0x"s),
              std::to_string(g + trailer().size() + 1) + " data after a trailer is not 4-byte aligned");
}

TEST(Cpio, ConcatenatedArchives) {
    const std::string archive = entry("a", "1") + trailer() + std::string(512, '\0') + entry("b", "22") + trailer();
    Parsed parsed = parse(archive);
    EXPECT_EQ(parsed.problem_text(), "");
    EXPECT_TRUE(parsed.clean);
    ASSERT_EQ(parsed.entries.size(), 2u);
    EXPECT_EQ(parsed.entries[1].data, "22");
}

// --- archives written by the host's cpio(1) ------------------------------------

struct TempDir {
    std::string path;
    TempDir() {
        char pattern[] = "/tmp/cpio_test_XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { (void)!system(("rm -rf " + path).c_str()); }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

std::string read_all(FILE* stream) {
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, stream)) > 0) out.append(buffer, n);
    return out;
}

std::string command_output(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return {};
    std::string out = read_all(pipe);
    EXPECT_EQ(pclose(pipe), 0) << command;
    return out;
}

void write_file(const std::string& path, const std::string& data, mode_t mode = 0644) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(write(fd, data.data(), data.size()), ssize_t(data.size()));
    close(fd);
    chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return {};
    std::string out = read_all(f);
    fclose(f);
    return out;
}

// A directory with every kind of file cpio carries.
void populate(const TempDir& dir, bool& have_device) {
    write_file(dir / "hello.txt", "hello\n");
    for (int size = 0; size < 8; ++size) write_file(dir / ("size" + std::to_string(size)), std::string(size, 'a' + size));
    mkdir((dir / "sub").c_str(), 0750);
    std::string random_bytes(3001, '\0');
    std::mt19937 rng(7);
    for (char& c : random_bytes) c = char(rng());
    write_file(dir / "sub/deep.bin", random_bytes, 0600);
    write_file(dir / "odd_mode", "x", 04741);
    ASSERT_EQ(symlink("hello.txt", (dir / "link").c_str()), 0);
    ASSERT_EQ(symlink("../sub/deep.bin", (dir / "sub/up").c_str()), 0);
    write_file(dir / "hard1", "shared contents");
    ASSERT_EQ(link((dir / "hard1").c_str(), (dir / "hard2").c_str()), 0);
    ASSERT_EQ(mkfifo((dir / "pipe").c_str(), 0640), 0);
    have_device = mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
    if (geteuid() == 0) (void)!chown((dir / "hello.txt").c_str(), 1234, 5678);
}

TEST(Cpio, ArchiveFromHostCpioMatchesTheFiles) {
    TempDir dir;
    bool have_device = false;
    populate(dir, have_device);
    const std::string archive = command_output("cd " + dir.path + " && find . | LC_ALL=C sort | cpio -o -H newc --quiet");
    ASSERT_GT(archive.size(), 0u);
    Parsed parsed = parse(archive);
    EXPECT_EQ(parsed.problem_text(), "");
    EXPECT_TRUE(parsed.clean);

    const std::vector<std::string> names = {"", "hello.txt", "size0", "size1", "size2", "size3", "size4", "size5",
                                            "size6", "size7", "sub", "sub/deep.bin", "odd_mode", "link", "sub/up",
                                            "hard1", "hard2", "pipe"};
    for (const std::string& name : names) {
        SCOPED_TRACE(name);
        const Parsed::Item* item = parsed.find(name);
        ASSERT_NE(item, nullptr);
        struct stat st;
        ASSERT_EQ(lstat((name.empty() ? dir.path : dir / name).c_str(), &st), 0);
        EXPECT_EQ(item->entry.mode, st.st_mode);
        EXPECT_EQ(item->entry.uid, st.st_uid);
        EXPECT_EQ(item->entry.gid, st.st_gid);
        EXPECT_EQ(item->entry.nlink, st.st_nlink);
        EXPECT_EQ(item->entry.mtime, uint32_t(st.st_mtime));
        EXPECT_EQ(item->entry.ino, uint32_t(st.st_ino));
        EXPECT_EQ(item->entry.dev_major, major(st.st_dev));
        EXPECT_EQ(item->entry.dev_minor, minor(st.st_dev));
        if (S_ISREG(st.st_mode) && !item->entry.may_be_hard_link()) EXPECT_EQ(item->data, read_file(dir / name));
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink((dir / name).c_str(), target, sizeof target);
            EXPECT_EQ(item->data, std::string(target, size_t(n)));
        }
    }
    // Hard links: one inode; GNU cpio writes the data with the last name.
    const Parsed::Item* first = parsed.find("hard1");
    const Parsed::Item* second = parsed.find("hard2");
    EXPECT_TRUE(first->entry.may_be_hard_link());
    EXPECT_EQ(first->entry.ino, second->entry.ino);
    EXPECT_EQ(first->data + second->data, "shared contents");
    if (have_device) {
        const Parsed::Item* null = parsed.find("null");
        ASSERT_NE(null, nullptr);
        EXPECT_EQ(null->entry.type(), fs::cpio::kCharDevice);
        EXPECT_EQ(null->entry.rdev_major, 1u);
        EXPECT_EQ(null->entry.rdev_minor, 3u);
    }
    if (geteuid() == 0) {
        EXPECT_EQ(parsed.find("hello.txt")->entry.uid, 1234u);
        EXPECT_EQ(parsed.find("hello.txt")->entry.gid, 5678u);
    }
}

// -H crc is newc with a data checksum (070702): a flipped data byte is caught
// at its entry's data, and only that entry is lost.
TEST(Cpio, ChecksummedArchiveFromHostCpio) {
    TempDir dir;
    bool have_device = false;
    populate(dir, have_device);
    std::string archive = command_output("cd " + dir.path + " && find . | LC_ALL=C sort | cpio -o -H crc --quiet");
    Parsed parsed = parse(archive);
    EXPECT_EQ(parsed.problem_text(), "");
    EXPECT_EQ(archive.substr(0, 6), "070702");
    const Parsed::Item* deep = parsed.find("sub/deep.bin");
    ASSERT_NE(deep, nullptr);
    const size_t data_offset = size_t(deep->entry.data.data() - reinterpret_cast<const uint8_t*>(archive.data()));
    archive[data_offset + 100] ^= 0x01;
    Parsed broken = parse(archive);
    EXPECT_EQ(broken.entries.size(), parsed.entries.size() - 1);
    ASSERT_EQ(broken.problems.size(), 1u);
    EXPECT_EQ(broken.problems[0].offset, data_offset);
    EXPECT_STREQ(broken.problems[0].message, "data checksum mismatch");
}

TEST(Cpio, OdcArchiveFromHostCpioIsRefusedByName) {
    TempDir dir;
    write_file(dir / "f", "x");
    Parsed parsed = parse(command_output("cd " + dir.path + " && echo f | cpio -o -H odc --quiet"));
    ASSERT_EQ(parsed.problems.size(), 1u);
    EXPECT_EQ(parsed.problems[0].offset, 0u);
    EXPECT_STREQ(parsed.problems[0].message, "old (odc) cpio format; expected newc (070701)");
}

// --- fuzzing --------------------------------------------------------------------

// Whatever the bytes, the reader ends, never reads outside the archive, and
// every path it hands out is normalised.
void check_invariants(const std::string& archive) {
    const uint8_t* begin = reinterpret_cast<const uint8_t*>(archive.data());
    Reader reader(lib::Bytes(begin, archive.size()));
    Entry e;
    Problem p;
    size_t results = 0;
    for (;;) {
        Reader::Result r = reader.next(e, p);
        if (r == Reader::Result::kEnd) break;
        ASSERT_LE(++results, archive.size() / 4 + 2) << "no progress";
        if (r == Reader::Result::kProblem) {
            ASSERT_LE(p.offset, archive.size());
            continue;
        }
        ASSERT_LT(e.offset, archive.size());
        ASSERT_GE(e.data.data(), begin);
        ASSERT_LE(e.data.data() + e.data.size(), begin + archive.size());
        const std::string path(e.path.data(), e.path.size());
        ASSERT_EQ(path.find("//"), std::string::npos) << path;
        if (!path.empty()) {
            ASSERT_NE(path.front(), '/');
            ASSERT_NE(path.back(), '/');
        }
        ASSERT_EQ(("/" + path + "/").find("/../"), std::string::npos) << path;
        ASSERT_EQ(("/" + path + "/").find("/./"), std::string::npos) << path;
    }
}

TEST(Cpio, FuzzedArchivesNeverEscape) {
    TempDir dir;
    bool have_device = false;
    populate(dir, have_device);
    const std::string original = command_output("cd " + dir.path + " && find . | cpio -o -H newc --quiet");
    std::mt19937 rng(2024);
    const char interesting[] = "0123456789abcdefFgx/.\0\xff";
    for (int round = 0; round < 20000; ++round) {
        std::string archive = original;
        const int mutations = 1 + int(rng() % 8);
        for (int m = 0; m < mutations; ++m) {
            const size_t at = rng() % archive.size();
            switch (rng() % 4) {
                case 0: archive[at] = char(rng()); break;
                case 1: archive[at] = interesting[rng() % (sizeof interesting - 1)]; break;
                case 2: archive.resize(at); break;
                case 3: archive.insert(at, 1 + rng() % 5, interesting[rng() % (sizeof interesting - 1)]); break;
            }
            if (archive.empty()) break;
        }
        check_invariants(archive);
        if (HasFatalFailure()) return;
    }
    // Every truncation of the real archive.
    for (size_t length = 0; length <= original.size(); length += 1 + length / 64) check_invariants(original.substr(0, length));
}

}  // namespace
