// Host tests of /proc's tree (procfs.cpp) over a fake process source:
// entries made at lookup and gone with their process, /proc/self, magic
// links (readlink names, following reaches the place itself), getdents64
// of pids and descriptors with any buffer size, task/<tid>/ of a process
// with threads, writes' errno, and that nothing can be made in /proc; and
// fs::inode_name, which maps uses for a mapped file's name. The files' contents are the process
// layer's and are checked by tests/user/procfs.c against Linux.
#include "kernel/fs/procfs.hpp"

#include <gtest/gtest.h>
#include <string.h>

#include <set>
#include <string>
#include <vector>

#include "kernel/fs/tmpfs.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

template <typename T>
std::string err(const lib::Expected<T>& r) {
    return r ? "OK" : lib::errno_name(r.error().code);
}

// The fake processes: pids, the caller, one descriptor table, links.
std::set<int32_t> g_pids;
std::set<int32_t> g_threads_of_7;  // pid 7's thread ids (the others have one: their pid)
int32_t g_self = 0;
fs::FdTable* g_files = nullptr;
fs::Path g_cwd, g_exe;
std::string g_written;

lib::Error gone() {
    return lib::Error::make(lib::Errno::kESRCH, "gone");
}

lib::Expected<void> fake_stat(int32_t pid, fs::procfs::Text& out) {
    if (!g_pids.count(pid)) return gone();
    out.format("{} (fake) S\n", pid);
    return {};
}
lib::Expected<void> fake_task_stat(int32_t pid, int32_t tid, fs::procfs::Text& out) {
    if (!g_pids.count(pid) || (pid == 7 ? !g_threads_of_7.count(tid) : tid != pid)) return gone();
    out.format("{} (thread of {}) S\n", tid, pid);
    return {};
}
lib::Expected<void> fake_meminfo(int32_t, fs::procfs::Text& out) {
    for (int i = 0; i < 500; ++i) out.format("Line{}: {} kB\n", i, i);  // past the first buffer
    return {};
}
lib::Expected<void> fake_hostname(int32_t, fs::procfs::Text& out) {
    out.append("host\n");
    return {};
}
lib::Expected<void> write_hostname(int32_t, lib::StringView text) {
    g_written.assign(text.data(), text.size());
    return {};
}

void register_once() {
    static bool done = false;
    if (done) return;
    done = true;
    fs::procfs::ProcessSource source;
    source.current_pid = [] { return g_self; };
    source.find = [](int32_t pid, uint32_t* uid, uint32_t* gid) {
        if (!g_pids.count(pid)) return false;
        if (uid) *uid = 1000 + uint32_t(pid);
        if (gid) *gid = 100;
        return true;
    };
    source.list = [](int32_t from, int32_t* out, size_t max) {
        size_t n = 0;
        for (auto it = g_pids.lower_bound(from); it != g_pids.end() && n < max; ++it) out[n++] = *it;
        return n;
    };
    source.link = [](int32_t pid, fs::procfs::Link which) -> fs::Path {
        if (pid != 7) return {};
        return which == fs::procfs::Link::kCwd ? g_cwd : which == fs::procfs::Link::kExe ? g_exe : fs::Path();
    };
    source.descriptor = [](int32_t pid, int32_t fd) -> lib::Expected<fs::FdTable::Description> {
        if (pid != 7 || !g_files) return lib::Error::make(lib::Errno::kENOENT, "none");
        return g_files->describe(fd);
    };
    source.next_descriptor = [](int32_t pid, int32_t from) {
        return pid == 7 && g_files ? g_files->next_open(from) : -1;
    };
    source.find_task = [](int32_t pid, int32_t tid) {
        return g_pids.count(pid) && (pid == 7 ? g_threads_of_7.count(tid) > 0 : tid == pid);
    };
    source.next_task = [](int32_t pid, int32_t from) {
        if (!g_pids.count(pid)) return -1;
        if (pid != 7) return pid >= from ? pid : -1;
        auto it = g_threads_of_7.lower_bound(from);
        return it == g_threads_of_7.end() ? -1 : *it;
    };
    fs::procfs::set_process_source(source);
    fs::procfs::add_file(fs::procfs::Place::kProcess, "stat", 0444, fake_stat);
    fs::procfs::add_task_file("stat", 0444, fake_task_stat);
    fs::procfs::add_file(fs::procfs::Place::kRoot, "meminfo", 0444, fake_meminfo);
    fs::procfs::add_file(fs::procfs::Place::kSysKernel, "hostname", 0644, fake_hostname, write_hostname);
    fs::procfs::add_file(fs::procfs::Place::kSysKernel, "ostype", 0444, fake_hostname);
}

struct World {
    vm::testing::SimulatedFrames frames{32ULL << 20};
    fs::Context context;

    World() {
        register_once();
        fs::Tmpfs* tmpfs = *fs::Tmpfs::make(frames, "tmpfs", 0755);
        fs::set_root_mount(*fs::Mount::make_root(*tmpfs, 0));
        context = *fs::root_context();
        EXPECT_TRUE(fs::make_directory(context, context.cwd, "proc", 0555));
        EXPECT_TRUE(fs::make_directory(context, context.cwd, "etc", 0755));
        EXPECT_TRUE(fs::make_directory(context, context.cwd, "bin", 0755));
        EXPECT_TRUE(fs::open(context, context.cwd, "bin/prog", uapi::kO_CREAT | uapi::kO_WRONLY, 0755));
        fs::FileSystem* proc = *fs::procfs::make();
        EXPECT_TRUE(fs::mount(context, *proc, context.cwd, "proc", 0));
        g_pids = {1, 7, 300};
        g_threads_of_7 = {7, 9, 12};
        g_self = 7;
        g_cwd = *fs::lookup(context, context.cwd, "etc", fs::kFollow);
        g_exe = *fs::lookup(context, context.cwd, "bin/prog", fs::kFollow);
        g_files = *fs::FdTable::make();
        auto file = fs::open(context, context.cwd, "etc/f", uapi::kO_CREAT | uapi::kO_RDWR, 0644);
        EXPECT_EQ(*g_files->install(file->take(), false, 1024, 3), 3);
    }
    ~World() {
        g_files->release();
        g_files = nullptr;
        g_cwd.reset();
        g_exe.reset();
    }

    std::string read(const std::string& path) {
        auto file = fs::open(context, context.cwd, path.c_str(), uapi::kO_RDONLY, 0);
        if (!file) return "<" + err(file) + ">";
        std::string text;
        char chunk[100];
        for (;;) {
            fs::IoBuffer::Segment s;
            fs::IoBuffer b = fs::IoBuffer::kernel_one(s, chunk, sizeof chunk);
            auto n = (*file)->read(b);
            if (!n) return "<" + err(n) + ">";
            if (*n == 0) break;
            text.append(chunk, *n);
        }
        return text;
    }
    std::string link(const std::string& path) {
        char buffer[256];
        auto n = fs::read_link(context, context.cwd, path.c_str(), buffer, sizeof buffer);
        return n ? std::string(buffer, *n) : "<" + err(n) + ">";
    }
    std::vector<std::string> list(const std::string& path, size_t buffer_size) {
        auto d = fs::open(context, context.cwd, path.c_str(), uapi::kO_RDONLY | uapi::kO_DIRECTORY, 0);
        if (!d) return {"<" + err(d) + ">"};
        std::vector<std::string> names;
        std::vector<uint8_t> buf(buffer_size);
        for (;;) {
            fs::IoBuffer::Segment s;
            fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf.data(), buf.size());
            auto n = (*d)->read_directory(b);
            if (!n) return {"<" + err(n) + ">"};
            if (*n == 0) break;
            for (size_t at = 0; at < *n;) {
                uint16_t reclen;
                memcpy(&reclen, &buf[at + 16], 2);
                names.push_back(std::string(reinterpret_cast<char*>(&buf[at + 19])) + ":" +
                                std::to_string(buf[at + 18]));
                at += reclen;
            }
        }
        return names;
    }
};

TEST(Procfs, ProcessDirectoriesExistWhileTheProcessDoes) {
    World w;
    EXPECT_EQ(w.read("/proc/7/stat"), "7 (fake) S\n");
    EXPECT_EQ(w.read("/proc/300/stat"), "300 (fake) S\n");
    EXPECT_EQ(w.read("/proc/2/stat"), "<ENOENT>");
    EXPECT_EQ(w.read("/proc/007/stat"), "<ENOENT>");
    EXPECT_EQ(w.read("/proc/7/nothing"), "<ENOENT>");
    auto st = fs::stat(w.context, w.context.cwd, "/proc/300", 0);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->st_uid, 1300u);
    EXPECT_EQ(st->st_mode, uapi::kS_IFDIR | 0555);
    // A process that ends: a cwd inside its directory stays, but nothing
    // in it can be found any more.
    ASSERT_TRUE(fs::change_directory(w.context, w.context.cwd, "/proc/300"));
    char cwd[64];
    ASSERT_TRUE(fs::current_directory(w.context, cwd, sizeof cwd));
    EXPECT_STREQ(cwd, "/proc/300");
    EXPECT_EQ(w.read("stat"), "300 (fake) S\n");
    g_pids.erase(300);
    EXPECT_EQ(w.read("stat"), "<ENOENT>");
    EXPECT_EQ(w.read("/proc/300/stat"), "<ENOENT>");
}

TEST(Procfs, SelfIsTheCallersPid) {
    World w;
    EXPECT_EQ(w.link("/proc/self"), "7");
    EXPECT_EQ(w.read("/proc/self/stat"), "7 (fake) S\n");
    g_self = 1;
    EXPECT_EQ(w.read("/proc/self/stat"), "1 (fake) S\n");
    g_self = 0;  // a kernel thread: a dangling link
    EXPECT_EQ(w.read("/proc/self/stat"), "<ENOENT>");
}

TEST(Procfs, MagicLinksNameAndReachThePlace) {
    World w;
    EXPECT_EQ(w.link("/proc/7/cwd"), "/etc");
    EXPECT_EQ(w.link("/proc/7/exe"), "/bin/prog");
    EXPECT_EQ(w.link("/proc/7/fd/3"), "/etc/f");
    EXPECT_EQ(w.link("/proc/7/fd/4"), "<ENOENT>");
    auto through = fs::stat(w.context, w.context.cwd, "/proc/7/fd/3", 0);
    auto direct = fs::stat(w.context, w.context.cwd, "/etc/f", 0);
    ASSERT_TRUE(through && direct);
    EXPECT_EQ(through->st_ino, direct->st_ino);
    auto link = fs::stat(w.context, w.context.cwd, "/proc/7/fd/3", uapi::kAT_SYMLINK_NOFOLLOW);
    ASSERT_TRUE(link);
    EXPECT_EQ(link->st_mode, uapi::kS_IFLNK | 0700);  // opened O_RDWR: lrwx------
    // The cwd link goes to the directory itself, so a path through it works.
    ASSERT_TRUE(fs::open(w.context, w.context.cwd, "/proc/7/cwd/g", uapi::kO_CREAT | uapi::kO_WRONLY, 0644));
    EXPECT_TRUE(fs::stat(w.context, w.context.cwd, "/etc/g", 0));
    // An unlinked file's name says so.
    ASSERT_TRUE(fs::unlink(w.context, w.context.cwd, "/etc/f"));
    EXPECT_EQ(w.link("/proc/7/fd/3"), "/etc/f (deleted)");
    // A process without links (here pid 1): empty, nothing to follow.
    EXPECT_EQ(w.read("/proc/1/cwd/x"), "<ENOENT>");
}

TEST(Procfs, DirectoriesListFixedEntriesThenPidsWithAnyBufferSize) {
    World w;
    std::vector<std::string> whole = w.list("/proc", 4096);
    std::vector<std::string> expected = {".:4", "..:4", "self:10", "sys:4", "meminfo:8", "1:4", "7:4", "300:4"};
    EXPECT_EQ(whole, expected);
    EXPECT_EQ(w.list("/proc", 32), expected);  // one record per call
    EXPECT_EQ(w.list("/proc", 8), std::vector<std::string>{"<EINVAL>"});
    EXPECT_EQ(w.list("/proc/7/fd", 4096), (std::vector<std::string>{".:4", "..:4", "3:10"}));
    EXPECT_EQ(w.list("/proc/sys/kernel", 4096), (std::vector<std::string>{".:4", "..:4", "hostname:8", "ostype:8"}));
    std::vector<std::string> pid = w.list("/proc/7", 4096);
    EXPECT_EQ(pid, (std::vector<std::string>{".:4", "..:4", "exe:10", "cwd:10", "root:10", "fd:4", "task:4", "stat:8"}));
}

TEST(Procfs, TaskDirectoriesListAndShowEachLiveThread) {
    World w;
    EXPECT_EQ(w.list("/proc/7/task", 4096), (std::vector<std::string>{".:4", "..:4", "7:4", "9:4", "12:4"}));
    EXPECT_EQ(w.list("/proc/7/task", 32), (std::vector<std::string>{".:4", "..:4", "7:4", "9:4", "12:4"}));
    EXPECT_EQ(w.list("/proc/300/task", 4096), (std::vector<std::string>{".:4", "..:4", "300:4"}));
    EXPECT_EQ(w.list("/proc/7/task/9", 4096), (std::vector<std::string>{".:4", "..:4", "stat:8"}));
    EXPECT_EQ(w.read("/proc/7/task/9/stat"), "9 (thread of 7) S\n");
    EXPECT_EQ(w.read("/proc/self/task/12/stat"), "12 (thread of 7) S\n");
    EXPECT_EQ(w.read("/proc/7/task/7/stat"), "7 (thread of 7) S\n");
    EXPECT_EQ(w.read("/proc/7/task/8/stat"), "<ENOENT>");
    EXPECT_EQ(w.read("/proc/1/task/7/stat"), "<ENOENT>");  // another process's thread
    // Inode numbers: the thread's own, never its process's.
    auto process = fs::stat(w.context, w.context.cwd, "/proc/7/stat", 0);
    auto leader = fs::stat(w.context, w.context.cwd, "/proc/7/task/7/stat", 0);
    auto thread = fs::stat(w.context, w.context.cwd, "/proc/7/task/9/stat", 0);
    ASSERT_TRUE(process && leader && thread);
    EXPECT_NE(process->st_ino, leader->st_ino);
    EXPECT_NE(leader->st_ino, thread->st_ino);
    // A thread that ends: its directory and files go; the others stay.
    ASSERT_TRUE(fs::change_directory(w.context, w.context.cwd, "/proc/7/task/9"));
    g_threads_of_7.erase(9);
    EXPECT_EQ(w.read("stat"), "<ESRCH>");  // an open-time error from the file's maker
    EXPECT_EQ(w.read("/proc/7/task/9/stat"), "<ENOENT>");
    EXPECT_EQ(w.list("/proc/7/task", 4096), (std::vector<std::string>{".:4", "..:4", "7:4", "12:4"}));
}

TEST(Procfs, InodeNameIsTheLastLinkedNameInItsMount) {
    World w;
    char name[64];
    auto f = fs::lookup(w.context, w.context.cwd, "etc/f", fs::kFollow);
    ASSERT_TRUE(f);
    fs::Inode* inode = f->inode();
    EXPECT_EQ(std::string(name, fs::inode_name(*inode, name, sizeof name)), "/etc/f");
    ASSERT_TRUE(fs::make_directory(w.context, w.context.cwd, "/bin/sub", 0755));
    ASSERT_TRUE(fs::rename(w.context, w.context.cwd, "/etc/f", w.context.cwd, "/bin/sub/g", 0));
    EXPECT_EQ(std::string(name, fs::inode_name(*inode, name, sizeof name)), "/bin/sub/g");
    EXPECT_EQ(fs::inode_name(*inode, name, 4), 4u);  // cut to the buffer
    ASSERT_TRUE(fs::unlink(w.context, w.context.cwd, "/bin/sub/g"));
    EXPECT_EQ(fs::inode_name(*inode, name, sizeof name), 0u);  // unlinked: no name
    auto proc = fs::lookup(w.context, w.context.cwd, "/proc/7/stat", fs::kFollow);
    ASSERT_TRUE(proc);
    EXPECT_EQ(fs::inode_name(*proc->inode(), name, sizeof name), 0u);  // /proc's entries are never linked
}

TEST(Procfs, AProcessEndingBetweenReadsIsSkippedOthersStay) {
    World w;
    auto d = fs::open(w.context, w.context.cwd, "/proc", uapi::kO_RDONLY | uapi::kO_DIRECTORY, 0);
    ASSERT_TRUE(d);
    std::vector<std::string> names;
    uint8_t buf[32];
    for (int call = 0;; ++call) {
        if (call == 7) g_pids.erase(300), g_pids.insert(5), g_pids.insert(400);  // after "7" was read
        fs::IoBuffer::Segment s;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(s, buf, sizeof buf);
        auto n = (*d)->read_directory(b);
        ASSERT_TRUE(n);
        if (*n == 0) break;
        names.push_back(std::string(reinterpret_cast<char*>(&buf[19])));
    }
    // 300 ended: skipped; 5 started below the position already passed: not
    // listed (as Linux's next_tgid); 400 started above it: listed.
    EXPECT_EQ(names, (std::vector<std::string>{".", "..", "self", "sys", "meminfo", "1", "7", "400"}));
}

TEST(Procfs, FilesReadWholeAndWritesFailAsOnLinux) {
    World w;
    std::string meminfo = w.read("/proc/meminfo");
    EXPECT_EQ(meminfo.substr(0, 14), "Line0: 0 kB\nLi");
    EXPECT_NE(meminfo.find("Line499: 499 kB\n"), std::string::npos);
    auto file = fs::open(w.context, w.context.cwd, "/proc/meminfo", uapi::kO_RDWR, 0);
    ASSERT_TRUE(file);
    char x = 'x';
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &x, 1);
    EXPECT_EQ(err((*file)->write(b)), "EIO");
    EXPECT_EQ(err((*file)->seek(0, uapi::kSEEK_END)), "EINVAL");
    EXPECT_EQ(err((*file)->seek(5, uapi::kSEEK_SET)), "OK");
    auto stat_file = fs::open(w.context, w.context.cwd, "/proc/7/stat", uapi::kO_WRONLY, 0);
    ASSERT_TRUE(stat_file);
    b = fs::IoBuffer::kernel_one(s, &x, 1);
    EXPECT_EQ(err((*stat_file)->write(b)), "EINVAL");
    EXPECT_EQ(err(fs::open(w.context, w.context.cwd, "/proc/sys/kernel/ostype", uapi::kO_WRONLY, 0)), "EACCES");
    auto hostname =
        fs::open(w.context, w.context.cwd, "/proc/sys/kernel/hostname", uapi::kO_WRONLY | uapi::kO_TRUNC, 0);
    ASSERT_TRUE(hostname);
    char name[] = "box\n";
    b = fs::IoBuffer::kernel_one(s, name, 4);
    EXPECT_EQ(err((*hostname)->write(b)), "OK");
    EXPECT_EQ(g_written, "box\n");
    // Nothing is made in /proc.
    EXPECT_EQ(err(fs::make_directory(w.context, w.context.cwd, "/proc/x", 0755)), "ENOENT");
    EXPECT_EQ(err(fs::open(w.context, w.context.cwd, "/proc/x", uapi::kO_CREAT | uapi::kO_WRONLY, 0644)), "ENOENT");
    EXPECT_EQ(err(fs::make_directory(w.context, w.context.cwd, "/proc/self", 0755)), "EEXIST");
}

}  // namespace
