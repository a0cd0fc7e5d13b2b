// /proc (see procfs.hpp): the tree made at each lookup, files made at open.
#include "kernel/fs/procfs.hpp"

#include "kernel/fs/io_buffer.hpp"
#include "lib/memory.hpp"

namespace fs::procfs {

// ---- Text

Text::~Text() {
    fs::release(data_);
}

void Text::put(char c) {
    if (failed_) return;
    if (size_ == capacity_) {
        size_t bigger = capacity_ ? capacity_ * 2 : 1024;
        char* grown = static_cast<char*>(fs::allocate(bigger));
        if (!grown) {
            failed_ = true;
            return;
        }
        if (data_) lib::copy_bytes(grown, data_, size_);
        fs::release(data_);
        data_ = grown;
        capacity_ = bigger;
    }
    data_[size_++] = c;
}

void Text::append(lib::StringView text) {
    for (size_t i = 0; i < text.size(); ++i) put(text[i]);
}

namespace {

// ---- What is registered

struct Registered {
    Place place;
    const char* name;
    uint32_t mode;
    Generator generate;
    TaskGenerator generate_task;  // Place::kTask files
    Writer write;
    TaskWriter write_task;  // Place::kTask files
};
constexpr size_t kMaxFiles = 64;
Registered g_files[kMaxFiles];
size_t g_file_count = 0;
ProcessSource g_source;

// What an inode of /proc is.
enum class Kind : uint8_t {
    kRoot,        // /proc
    kSys,         // /proc/sys
    kSysKernel,   // /proc/sys/kernel
    kSelf,        // /proc/self: a symlink to the caller's pid
    kFile,        // a registered file (`extra`: its index)
    kProcessDir,  // /proc/<pid>
    kFdDir,       // /proc/<pid>/fd
    kLink,        // /proc/<pid>/{exe,cwd,root} (`extra`: the Link)
    kFdLink,      // /proc/<pid>/fd/<n> (`extra`: n)
    kTaskDir,     // /proc/<pid>/task
    kTaskEntry,   // /proc/<pid>/task/<tid>
};

// Inode numbers: stable for a name, so two lookups of one file agree (find
// and ls -i compare them). The static ones are small; a process's are
// (pid << 16) | its entry, a thread's (tid << 16) | its entry (a thread's
// entries above 0x100, so the main thread's never meet its process's);
// /proc/<tid>'s of a thread that is not a leader are (tid << 16) | the
// process's entry.
constexpr uint64_t kRootIno = 1, kSysIno = 2, kSysKernelIno = 3, kSelfIno = 4, kFileInoBase = 16;
constexpr uint64_t kProcessDirEntry = 1, kFdDirEntry = 2, kLinkEntryBase = 3, kTaskDirEntry = 6;
constexpr uint64_t kTaskFileBase = 0x100, kTaskEntryDir = 0x200, kFdEntryBase = 0x8000;
constexpr int32_t kMaxFdShown = 0x7fff;

uint64_t ino_of(Kind kind, int32_t pid, int32_t tid, int32_t extra) {
    uint64_t base = uint64_t(tid ? tid : pid) << 16, task_base = uint64_t(tid) << 16;
    switch (kind) {
        case Kind::kRoot: return kRootIno;
        case Kind::kSys: return kSysIno;
        case Kind::kSysKernel: return kSysKernelIno;
        case Kind::kSelf: return kSelfIno;
        case Kind::kFile:
            if (g_files[extra].place == Place::kTask) return task_base | (kTaskFileBase + uint64_t(extra));
            return g_files[extra].place == Place::kProcess ? base | (kFileInoBase + uint64_t(extra))
                                                           : kFileInoBase + uint64_t(extra);
        case Kind::kProcessDir: return base | kProcessDirEntry;
        case Kind::kFdDir: return base | kFdDirEntry;
        case Kind::kLink: return base | (kLinkEntryBase + uint64_t(extra));
        case Kind::kFdLink: return base | (kFdEntryBase + uint64_t(extra));
        case Kind::kTaskDir: return base | kTaskDirEntry;
        case Kind::kTaskEntry: return task_base | kTaskEntryDir;
    }
    return 0;
}

// One entry of a directory: its name, what it is, and its mode.
struct Child {
    const char* name;
    Kind kind;
    int32_t extra;
    uint32_t mode;
};

constexpr const char* kLinkNames[] = {"exe", "cwd", "root"};

// The `index`-th entry a directory always has (false past the last).
bool static_child(Kind directory, size_t index, Child& out) {
    size_t fixed = 0;
    switch (directory) {
        case Kind::kRoot:
            if (index == 0) return out = {"self", Kind::kSelf, 0, uapi::kS_IFLNK | 0777}, true;
            if (index == 1) return out = {"sys", Kind::kSys, 0, uapi::kS_IFDIR | 0555}, true;
            fixed = 2;
            break;
        case Kind::kSys:
            if (index == 0) return out = {"kernel", Kind::kSysKernel, 0, uapi::kS_IFDIR | 0555}, true;
            return false;
        case Kind::kSysKernel: break;
        case Kind::kProcessDir:
            if (index < 3) return out = {kLinkNames[index], Kind::kLink, int32_t(index), uapi::kS_IFLNK | 0777}, true;
            if (index == 3) return out = {"fd", Kind::kFdDir, 0, uapi::kS_IFDIR | 0500}, true;
            if (index == 4) return out = {"task", Kind::kTaskDir, 0, uapi::kS_IFDIR | 0555}, true;
            fixed = 5;
            break;
        case Kind::kTaskEntry: break;
        default: return false;
    }
    Place place = directory == Kind::kRoot        ? Place::kRoot
                  : directory == Kind::kSysKernel ? Place::kSysKernel
                  : directory == Kind::kTaskEntry ? Place::kTask
                                                  : Place::kProcess;
    size_t seen = fixed;
    for (size_t i = 0; i < g_file_count; ++i) {
        if (g_files[i].place != place) continue;
        if (seen++ == index)
            return out = {g_files[i].name, Kind::kFile, int32_t(i), uapi::kS_IFREG | g_files[i].mode}, true;
    }
    return false;
}

// A decimal number as /proc names pids and descriptors: digits only, no
// leading zero, below 2^31.
int32_t parse_number(lib::StringView name) {
    if (name.empty() || name.size() > 10 || (name[0] == '0' && name.size() > 1)) return -1;
    int64_t value = 0;
    for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return -1;
        value = value * 10 + (name[i] - '0');
    }
    return value > 0x7fffffff ? -1 : int32_t(value);
}

uint8_t dtype_of(uint32_t mode) {
    switch (mode & uapi::kS_IFMT) {
        case uapi::kS_IFDIR: return uapi::kDT_DIR;
        case uapi::kS_IFLNK: return uapi::kDT_LNK;
        default: return uapi::kDT_REG;
    }
}

class ProcFs final : public FileSystem {
public:
    ProcFs() : FileSystem("proc", kProcSuperMagic) {}
    lib::Expected<Inode*> make_inode(uint32_t, uint64_t, lib::StringView, const Credentials&) override {
        // Linux's /proc directories make nothing: mkdir, O_CREAT and the
        // others end in ENOENT there (checked against the host kernel).
        return fail(lib::Errno::kENOENT, "nothing can be made in /proc");
    }
    uapi::Statfs statfs() override {
        uapi::Statfs s = FileSystem::statfs();
        s.f_bsize = s.f_frsize = 4096;
        s.f_files = 0;
        return s;
    }
    void set_root(Dentry* root) { root_ = root; }
};

class ProcInode final : public Inode {
public:
    ProcInode(FileSystem& fs, uint32_t mode, Kind kind, int32_t pid, int32_t tid, int32_t extra)
        : Inode(fs, mode), kind_(kind), pid_(pid), tid_(tid), extra_(extra) {
        ino_ = ino_of(kind, pid, tid, extra);
        nlink_ = (mode & uapi::kS_IFMT) == uapi::kS_IFDIR ? 2 : 1;
    }

    Dentry* lookup(Dentry& directory, lib::StringView name) override;
    lib::Expected<File*> open(const Path& path, uint32_t flags) override;
    // O_TRUNC (`echo x > /proc/sys/kernel/hostname`) changes nothing, as on Linux.
    lib::Expected<void> truncate(uint64_t) override { return {}; }
    lib::StringView link_target() const override { return {text_, text_length_}; }
    const Path* jump_target() const override { return jump_ ? &jump_ : nullptr; }

    Kind kind() const { return kind_; }
    size_t task_file_of(size_t index) const;
    int32_t pid() const { return pid_; }
    int32_t tid() const { return tid_; }
    int32_t extra() const { return extra_; }

    void set_text(lib::StringView text) {
        text_length_ = text.size() < sizeof text_ ? text.size() : sizeof text_;
        lib::copy_bytes(text_, text.data(), text_length_);
    }
    void set_jump(const Path& path) { jump_ = path; }

private:
    Kind kind_;
    int32_t pid_;
    int32_t tid_;  // the thread of a task directory and its files (0: none)
    int32_t extra_;
    char text_[40] = {};
    size_t text_length_ = 0;
    Path jump_;
};

// A new dentry for `child` under `parent` (the caller's reference), or nullptr.
Dentry* make_entry(Dentry& parent, lib::StringView name, const Child& child, int32_t pid, int32_t tid = 0) {
    FileSystem& fs = parent.inode()->file_system();
    ProcInode* inode = fs::make<ProcInode>(fs, child.mode, child.kind, pid, tid, child.extra);
    if (!inode) return nullptr;
    if (pid > 0 && g_source.find) {
        uint32_t uid = 0, gid = 0;
        if (!g_source.find(pid, &uid, &gid)) {
            inode->release();
            return nullptr;
        }
        inode->set_owner(uid, gid);
    }
    char number[16];
    switch (child.kind) {
        case Kind::kSelf: {
            int32_t self = g_source.current_pid ? g_source.current_pid() : 0;
            if (self <= 0) break;  // a kernel thread: a dangling link (ENOENT), as Linux's
            size_t n = lib::format(number, sizeof number, "{}", self);
            inode->set_text({number, n});
            break;
        }
        case Kind::kLink:
            if (g_source.link) {
                Path target = g_source.link(pid, Link(child.extra));
                if (target) inode->set_jump(target);
            }
            break;
        case Kind::kFdLink: {
            auto described = g_source.descriptor(pid, child.extra);
            if (!described) {
                inode->release();
                return nullptr;
            }
            if (described->path) {
                inode->set_jump(described->path);
            } else {
                // Pipes and anonymous files have no name: Linux shows their kind
                // and inode number.
                char text[40];
                uint32_t type = described->mode & uapi::kS_IFMT;
                size_t n = type == uapi::kS_IFIFO    ? lib::format(text, sizeof text, "pipe:[{}]", described->ino)
                           : type == uapi::kS_IFSOCK ? lib::format(text, sizeof text, "socket:[{}]", described->ino)
                                                     : lib::format(text, sizeof text, "anon_inode:[eventfd]");
                inode->set_text({text, n < sizeof text ? n : sizeof text - 1});
            }
            // lr-x------, l-wx------ or lrwx------ by the description's access mode.
            uint32_t access = described->flags & uapi::kO_ACCMODE;
            uint32_t bits = 0100;
            if (access == uapi::kO_RDONLY || access == uapi::kO_RDWR) bits |= 0400;
            if (access == uapi::kO_WRONLY || access == uapi::kO_RDWR) bits |= 0200;
            inode->set_mode_bits(bits);
            break;
        }
        default: break;
    }
    Dentry* dentry = Dentry::make(&parent, name, inode);
    inode->release();  // the dentry's now (or gone with it)
    return dentry;
}

Dentry* ProcInode::lookup(Dentry& directory, lib::StringView name) {
    if (!is_directory()) return nullptr;
    Child child;
    for (size_t i = 0; static_child(kind_, i, child); ++i)
        if (name == lib::StringView(child.name)) return make_entry(directory, name, child, pid_, tid_);
    int32_t number = parse_number(name);
    if (number < 0) return nullptr;
    if (kind_ == Kind::kRoot && number > 0) {
        const Child process_dir{nullptr, Kind::kProcessDir, 0, uapi::kS_IFDIR | 0555};
        if (g_source.find && g_source.find(number, nullptr, nullptr))
            return make_entry(directory, name, process_dir, number);
        // A thread's id: its process's directory, seen as that thread
        // (tid_ set: its stat, status and comm are the thread's).
        int32_t group = g_source.thread_group ? g_source.thread_group(number) : 0;
        if (group <= 0 || group == number) return nullptr;
        return make_entry(directory, name, process_dir, group, number);
    }
    if (kind_ == Kind::kFdDir && number <= kMaxFdShown && g_source.descriptor)
        return make_entry(directory, name, {nullptr, Kind::kFdLink, number, uapi::kS_IFLNK | 0700}, pid_);
    if (kind_ == Kind::kTaskDir && number > 0 && g_source.find_task && g_source.find_task(pid_, number))
        return make_entry(directory, name, {nullptr, Kind::kTaskEntry, 0, uapi::kS_IFDIR | 0555}, pid_, number);
    return nullptr;
}

// ---- Files

// The files of /proc: lseek as Linux's seq_lseek, SEEK_SET and SEEK_CUR
// only (SEEK_END is EINVAL), for the texts and the directories alike.
class SeqFile : public File {
public:
    using File::File;
    lib::Expected<int64_t> seek(int64_t offset, int whence) override { return seek_set_or_cur(offset, whence); }
};

// A file's text as it was when opened.
class TextFile final : public SeqFile {
public:
    TextFile(const Path& path, Inode* inode, uint32_t flags, char* text, size_t size, const Registered& registered,
             int32_t pid, int32_t tid)
        : SeqFile(path, inode, flags),
          text_(text),
          size_(size),
          writer_(registered.write),
          task_writer_(registered.write_task),
          process_(registered.place == Place::kProcess || registered.place == Place::kTask),
          pid_(pid),
          tid_(tid) {}
    ~TextFile() override { fs::release(text_); }

protected:
    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t* position) override {
        if (*position >= size_) return size_t(0);
        size_t n = buffer.copy_out(text_ + *position, size_ - size_t(*position));
        if (n == 0 && buffer.remaining()) return fail(lib::Errno::kEFAULT, "read buffer not writable");
        *position += n;
        return n;
    }
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t* position) override {
        // Linux: proc_reg_write's EIO without a write method; a process's
        // files have no write at all (vfs_write's EINVAL).
        if (!writer_ && !task_writer_)
            return fail(process_ ? lib::Errno::kEINVAL : lib::Errno::kEIO, "file cannot be written");
        char text[256];
        size_t wanted = buffer.remaining();
        size_t n = buffer.copy_in(text, wanted < sizeof text ? wanted : sizeof text);
        if (n == 0 && wanted) return fail(lib::Errno::kEFAULT, "write buffer not readable");
        TRY(task_writer_ ? task_writer_(pid_, tid_, {text, n}) : writer_(pid_, {text, n}));
        *position += n;
        return wanted < sizeof text ? n : wanted;
    }
    uint64_t end_position() override { return size_; }

private:
    char* text_;
    size_t size_;
    Writer writer_;
    TaskWriter task_writer_;
    bool process_;
    int32_t pid_, tid_;
};

// getdents64 over a directory of /proc: positions 0 ".", 1 "..", then the
// fixed entries, then pids (kPidPosition + pid) or descriptors
// (kFdPosition + fd), so entries that come and go never shift the others.
constexpr uint64_t kPidPosition = 1024, kFdPosition = 1024;

class ProcDirectory final : public SeqFile {
public:
    ProcDirectory(const Path& path, ProcInode* inode, uint32_t flags) : SeqFile(path, inode, flags), dir_(inode) {}

    lib::Expected<size_t> read_directory(IoBuffer& buffer) override {
        uint8_t chunk[1024];
        size_t total = 0;
        for (;;) {
            uint64_t position;
            {
                ksync::Guard guard(position_lock_);
                position = position_;
            }
            size_t room = buffer.remaining() < sizeof chunk ? buffer.remaining() : sizeof chunk;
            size_t used = 0;
            bool at_end = false;
            for (;;) {
                Entry entry;
                if (!entry_at(position, entry)) {
                    at_end = true;
                    break;
                }
                if (!put(chunk, used, room, entry)) break;
                position = entry.position + 1;
            }
            if (used == 0) {
                if (!at_end && total == 0) return fail(lib::Errno::kEINVAL, "buffer too small for the next entry");
                break;
            }
            size_t copied = buffer.copy_out(chunk, used);
            if (copied < used) {
                if (total == 0) return fail(lib::Errno::kEFAULT, "getdents64 buffer not writable");
                break;
            }
            total += used;
            {
                ksync::Guard guard(position_lock_);
                position_ = position;
            }
            if (at_end) break;
        }
        return total;
    }

private:
    struct Entry {
        char name[24];
        size_t length;
        uint64_t ino;
        uint8_t type;
        uint64_t position;
    };

    static void name(Entry& entry, lib::StringView text) {
        entry.length = text.size() < sizeof entry.name ? text.size() : sizeof entry.name;
        lib::copy_bytes(entry.name, text.data(), entry.length);
    }

    // The first entry at or after `position`.
    bool entry_at(uint64_t position, Entry& out) {
        if (position == 0) {
            name(out, ".");
            out = {{'.'}, 1, dir_->ino(), uapi::kDT_DIR, 0};
            return true;
        }
        if (position == 1) {
            Dentry* parent = path_.dentry()->parent() ? path_.dentry()->parent() : path_.dentry();
            out = {{'.', '.'}, 2, parent->inode()->ino(), uapi::kDT_DIR, 1};
            return true;
        }
        Child child;
        if (position < kPidPosition && static_child(dir_->kind(), size_t(position - 2), child)) {
            name(out, child.name);
            out.ino = ino_of(child.kind, dir_->pid(), dir_->tid(), child.extra);
            out.type = dtype_of(child.mode);
            out.position = position;
            return true;
        }
        uint64_t from = position < kPidPosition ? 0 : position - kPidPosition;
        if (from > 0x7fffffff) return false;
        char number[16];
        if (dir_->kind() == Kind::kRoot && g_source.list) {
            int32_t pid;
            if (g_source.list(int32_t(from), &pid, 1) != 1) return false;
            name(out, {number, lib::format(number, sizeof number, "{}", pid)});
            out.ino = ino_of(Kind::kProcessDir, pid, 0, 0);
            out.type = uapi::kDT_DIR;
            out.position = kPidPosition + uint64_t(pid);
            return true;
        }
        if (dir_->kind() == Kind::kFdDir && g_source.next_descriptor) {
            int32_t fd = g_source.next_descriptor(dir_->pid(), int32_t(from));
            if (fd < 0 || fd > kMaxFdShown) return false;
            name(out, {number, lib::format(number, sizeof number, "{}", fd)});
            out.ino = ino_of(Kind::kFdLink, dir_->pid(), 0, fd);
            out.type = uapi::kDT_LNK;
            out.position = kFdPosition + uint64_t(fd);
            return true;
        }
        if (dir_->kind() == Kind::kTaskDir && g_source.next_task) {
            int32_t tid = g_source.next_task(dir_->pid(), int32_t(from));
            if (tid <= 0) return false;
            name(out, {number, lib::format(number, sizeof number, "{}", tid)});
            out.ino = ino_of(Kind::kTaskEntry, dir_->pid(), tid, 0);
            out.type = uapi::kDT_DIR;
            out.position = kPidPosition + uint64_t(tid);
            return true;
        }
        return false;
    }

    // Appends one linux_dirent64 if it fits in `room`.
    static bool put(uint8_t* out, size_t& used, size_t room, const Entry& entry) {
        size_t length = (uapi::kDirent64HeaderSize + entry.length + 1 + 7) & ~size_t(7);
        if (used + length > room) return false;
        uint8_t* r = out + used;
        lib::fill_bytes(r, 0, length);
        int64_t next = int64_t(entry.position + 1);
        uint16_t reclen = uint16_t(length);
        lib::copy_bytes(r, &entry.ino, 8);
        lib::copy_bytes(r + 8, &next, 8);
        lib::copy_bytes(r + 16, &reclen, 2);
        r[18] = entry.type;
        lib::copy_bytes(r + 19, entry.name, entry.length);
        used += length;
        return true;
    }

    ProcInode* dir_;
};

// The file a process's file `index` is in /proc/<tid> of a thread (the
// task file of the same name, when there is one; tid_ set) or `index`.
size_t ProcInode::task_file_of(size_t index) const {
    if (!tid_ || g_files[index].place != Place::kProcess) return index;
    for (size_t i = 0; i < g_file_count; ++i)
        if (g_files[i].place == Place::kTask &&
            lib::StringView(g_files[i].name) == lib::StringView(g_files[index].name))
            return i;
    return index;
}

lib::Expected<File*> ProcInode::open(const Path& path, uint32_t flags) {
    if (flags & uapi::kO_PATH) return Inode::open(path, flags);
    File* file = nullptr;
    if (is_directory()) {
        file = fs::make<ProcDirectory>(path, this, flags);
    } else if (kind_ == Kind::kFile) {
        const Registered& registered = g_files[task_file_of(extra_)];
        // /proc/sys files check their mode bits even for root
        // (proc_sys_permission): a read-only one cannot be opened for writing.
        uint32_t access = flags & uapi::kO_ACCMODE;
        if (registered.place == Place::kSysKernel && access != uapi::kO_RDONLY && !(registered.mode & 0222))
            return fail(lib::Errno::kEACCES, "read-only sysctl");
        Text text;
        if (registered.place == Place::kTask)
            TRY(registered.generate_task(pid_, tid_, text));
        else
            TRY(registered.generate(pid_, text));
        if (text.failed()) return fail(lib::Errno::kENOMEM, "no memory for a /proc file");
        size_t size = text.size();
        char* data = text.take();
        file = fs::make<TextFile>(path, this, flags, data, size, registered, pid_, tid_);
        if (!file) fs::release(data);
    } else {
        return fail(lib::Errno::kENXIO, "not a file");
    }
    if (!file) return fail(lib::Errno::kENOMEM, "no memory for an open file");
    return file;
}

}  // namespace

void add_file(Place place, const char* name, uint32_t mode, Generator generate, Writer write) {
    if (g_file_count == kMaxFiles) return;
    g_files[g_file_count++] = {place, name, mode & uapi::kS_IALLUGO, generate, nullptr, write, nullptr};
}

void add_task_file(const char* name, uint32_t mode, TaskGenerator generate, TaskWriter write) {
    if (g_file_count == kMaxFiles) return;
    g_files[g_file_count++] = {Place::kTask, name, mode & uapi::kS_IALLUGO, nullptr, generate, nullptr, write};
}

void set_process_source(const ProcessSource& source) {
    g_source = source;
}

lib::Expected<FileSystem*> make() {
    ProcFs* fs = fs::make<ProcFs>();
    if (!fs) return fail(lib::Errno::kENOMEM, "no memory for a proc file system");
    ProcInode* root = fs::make<ProcInode>(*fs, uapi::kS_IFDIR | 0555, Kind::kRoot, 0, 0, 0);
    if (!root) {
        unmake(fs);
        return fail(lib::Errno::kENOMEM, "no memory for /proc");
    }
    Dentry* dentry = Dentry::make(nullptr, {}, root);
    root->release();
    if (!dentry) {
        unmake(fs);
        return fail(lib::Errno::kENOMEM, "no memory for a dentry");
    }
    fs->set_root(dentry);
    return static_cast<FileSystem*>(fs);
}

}  // namespace fs::procfs
