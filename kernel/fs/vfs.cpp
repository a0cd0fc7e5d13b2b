// The name operations (see vfs.hpp): each takes the namespace lock for its
// walk and change, never across file I/O; opening a device or truncating
// happens after it is let go (the Path holds what was found).
#include "kernel/fs/vfs.hpp"

#include "kernel/fs/procfs.hpp"
#include "kernel/fs/walk.hpp"
#include "lib/memory.hpp"

namespace fs {

namespace {

Mount* g_root_mount = nullptr;

constexpr int64_t kDirectoryEntrySize = 20;  // shmem's BOGO_DIRENT_SIZE

using Lock = ksync::Guard<NamespaceLock>;

bool is_directory(const Path& p) { return p.inode() && p.inode()->is_directory(); }

// The name of `path` from `root` into the end of `buffer` (below, with getcwd).
bool build_name(const Path& root, const Path& path, char* buffer, size_t size, size_t& start, bool& reachable);

bool owner_or_privileged(const Context& context, Inode& inode) {
    return context.credentials.privileged() || context.credentials.uid == inode.attributes().uid;
}

// may_create's checks on the directory a name is made in.
lib::Expected<void> may_create(const Context& context, const Path& dir) {
    if (dir.dentry()->unlinked()) return fail(lib::Errno::kENOENT, "directory was removed");
    TRY(dir.inode()->permission(context.credentials, kMayWrite | kMayExec));
    if (dir.mount()->flags() & kMountReadOnly) return fail(lib::Errno::kEROFS, "read-only mount");
    return {};
}

// filename_create: the parent and the (absent) last name of a new entry.
// `want_directory`: a trailing slash is fine (mkdir).
lib::Expected<Last> prepare_create(Walker& walker, Path& dir, const Path& start, lib::StringView path,
                                   bool want_directory) {
    if (path.empty()) return fail(lib::Errno::kENOENT, "empty path");
    Last last = TRY(walker.parent(dir, start, path));
    if (last.type != LastType::kNormal) return fail(lib::Errno::kEEXIST, "name exists");
    if (Walker::named(dir, last.name)) return fail(lib::Errno::kEEXIST, "name exists");
    if (last.trailing_slash && !want_directory) return fail(lib::Errno::kENOENT, "trailing slash on a new non-directory");
    return last;
}

// Makes an inode in `dir`'s file system and links it as `name`.
lib::Expected<Path> create_entry(const Context& context, const Path& dir, lib::StringView name, uint32_t mode,
                                 uint64_t rdev, lib::StringView target) {
    TRY(may_create(context, dir));
    Inode* inode = TRY(dir.inode()->file_system().make_inode(mode, rdev, target, context.credentials));
    Dentry* dentry = Dentry::make(dir.dentry(), name, inode);
    inode->release();  // the dentry's now (or gone with it)
    if (!dentry) return fail(lib::Errno::kENOMEM, "no memory for a dentry");
    bool directory = (mode & uapi::kS_IFMT) == uapi::kS_IFDIR;
    inode->set_nlink(directory ? 2 : 1);
    if (directory) dir.inode()->set_nlink(dir.inode()->nlink() + 1);
    dir.dentry()->link_child(dentry);  // the tree takes the reference
    dir.inode()->adjust_size(kDirectoryEntrySize);
    dir.inode()->touch_mtime_ctime();
    return Path(dir.mount(), dentry);
}

// The checks of may_delete for removing `victim` from `dir`.
lib::Expected<void> may_delete(const Context& context, const Path& dir, Dentry* victim, bool want_directory) {
    TRY(dir.inode()->permission(context.credentials, kMayWrite | kMayExec));
    if (dir.mount()->flags() & kMountReadOnly) return fail(lib::Errno::kEROFS, "read-only mount");
    // The sticky bit (inode(7)): only the owner of the file or of the
    // directory (or root) removes entries.
    Attributes d = dir.inode()->attributes();
    if ((d.mode & uapi::kS_ISVTX) && !context.credentials.privileged() && context.credentials.uid != d.uid &&
        context.credentials.uid != victim->inode()->attributes().uid)
        return fail(lib::Errno::kEPERM, "sticky directory");
    bool is_dir = victim->inode()->is_directory();
    if (want_directory && !is_dir) return fail(lib::Errno::kENOTDIR, "not a directory");
    if (!want_directory && is_dir) return fail(lib::Errno::kEISDIR, "is a directory");
    return {};
}

// Takes `victim` out of `dir`; returns the tree's reference (released by
// the caller after the lock: the last reference may free pages).
Dentry* remove_entry(const Path& dir, Dentry* victim) {
    Inode* inode = victim->inode();
    if (inode->is_directory()) {
        inode->set_nlink(0);
        dir.inode()->set_nlink(dir.inode()->nlink() - 1);
    } else {
        inode->set_nlink(inode->nlink() - 1);
    }
    inode->touch_ctime();
    dir.inode()->adjust_size(-kDirectoryEntrySize);
    dir.inode()->touch_mtime_ctime();
    return dir.dentry()->unlink_child(victim);
}

// Whether `ancestor` is `d` or above it.
bool is_ancestor(const Dentry* ancestor, const Dentry* d) {
    for (; d; d = d->parent())
        if (d == ancestor) return true;
    return false;
}

lib::Expected<void> check_nsec(const uapi::Timespec& t) {
    if (t.tv_nsec == uapi::kUTIME_NOW || t.tv_nsec == uapi::kUTIME_OMIT) return {};
    if (t.tv_nsec < 0 || t.tv_nsec > 999999999) return fail(lib::Errno::kEINVAL, "tv_nsec out of range");
    return {};
}

}  // namespace

void set_root_mount(Mount* mount) { g_root_mount = mount; }
Mount* root_mount() { return g_root_mount; }

lib::Expected<Context> root_context() {
    if (!g_root_mount) return fail(lib::Errno::kENOENT, "no root file system");
    Context context;
    Lock lock(namespace_lock());
    context.root = Path(g_root_mount, g_root_mount->root());
    context.cwd = context.root;
    return context;
}

lib::Expected<Path> lookup(const Context& context, const Path& start, lib::StringView path, uint32_t flags) {
    Lock lock(namespace_lock());
    Walker walker(context);
    return walker.resolve(start, path, flags);
}

// ---- open

lib::Expected<FileRef> open(const Context& context, const Path& start, lib::StringView path, uint32_t flags,
                            uint32_t mode) {
    // build_open_flags: O_LARGEFILE is implied on 64-bit; O_PATH keeps only
    // O_DIRECTORY and O_NOFOLLOW.
    flags &= uapi::kValidOpenFlags & ~uapi::kO_CLOEXEC;
    flags |= uapi::kO_LARGEFILE;
    if ((flags & uapi::kO_TMPFILE) == uapi::kO_TMPFILE)
        return fail(lib::Errno::kEOPNOTSUPP, "O_TMPFILE is not supported yet");
    if (flags & uapi::kO_PATH) flags &= uapi::kO_PATH | uapi::kO_DIRECTORY | uapi::kO_NOFOLLOW | uapi::kO_LARGEFILE;
    // Linux 6.4+ refuses O_CREAT|O_DIRECTORY (6.1 had an ambiguous answer).
    if ((flags & uapi::kO_CREAT) && (flags & uapi::kO_DIRECTORY))
        return fail(lib::Errno::kEINVAL, "O_CREAT with O_DIRECTORY");
    if (path.empty()) return fail(lib::Errno::kENOENT, "empty path");
    const bool path_only = flags & uapi::kO_PATH;
    const bool follow = !(flags & uapi::kO_NOFOLLOW);
    // The access open asks for (acc_mode): O_ACCMODE 3 checks both, O_TRUNC
    // needs write.
    uint32_t accmode = flags & uapi::kO_ACCMODE;
    uint32_t want = 0;
    if (!path_only) {
        if (accmode != uapi::kO_WRONLY) want |= kMayRead;
        if (accmode != uapi::kO_RDONLY) want |= kMayWrite;
        if (flags & uapi::kO_TRUNC) want |= kMayWrite;
    }

    Path found;
    bool created = false;
    {
        Lock lock(namespace_lock());
        Walker walker(context);
        Path dir;
        Last last = TRY(walker.parent(dir, start, path));
        if (!(flags & uapi::kO_CREAT)) {
            Path child = TRY(walker.child(dir, last));
            uint32_t lookup_flags = (follow ? kFollow : 0) | ((flags & uapi::kO_DIRECTORY) ? kDirectory : 0);
            found = TRY(walker.finish(lib::move(dir), last, lib::move(child), lookup_flags));
        } else {
            // open_last_lookups: a dangling symlink's target is created, so
            // the creating side may walk several links.
            for (;;) {
                if (last.type != LastType::kNormal || last.trailing_slash)
                    return fail(lib::Errno::kEISDIR, "O_CREAT of a directory name");
                Path child = TRY(walker.child(dir, last));
                if (child) {
                    if (flags & uapi::kO_EXCL) return fail(lib::Errno::kEEXIST, "file exists");
                    if (child.inode()->is_symlink()) {
                        if (!follow) return fail(lib::Errno::kELOOP, "O_NOFOLLOW and a symlink");
                        // Walk on into the link's target, which may itself
                        // be missing (and is then made) or another link.
                        TRY(walker.count_link());
                        lib::StringView target = child.inode()->link_target();
                        if (target.empty()) return fail(lib::Errno::kENOENT, "empty symlink");
                        Path base = dir;
                        last = TRY(walker.parent(dir, base, target));
                        continue;
                    }
                    found = lib::move(child);
                    break;
                }
                uint32_t new_mode = uapi::kS_IFREG | (mode & uapi::kS_IALLUGO & ~context.umask);
                found = TRY(create_entry(context, dir, last.name, new_mode, 0, {}));
                created = true;
                break;
            }
            if (!created && is_directory(found)) return fail(lib::Errno::kEISDIR, "O_CREAT on a directory");
        }
        Inode* inode = found.inode();
        if (inode->is_symlink()) {
            if (!path_only) return fail(lib::Errno::kELOOP, "O_NOFOLLOW and a symlink");
        } else if (!path_only) {
            if (inode->is_directory() && (want & kMayWrite)) return fail(lib::Errno::kEISDIR, "is a directory");
            if (!created) TRY(inode->permission(context.credentials, want));
            uint32_t type = inode->type();
            if ((type == uapi::kS_IFCHR || type == uapi::kS_IFBLK) && (found.mount()->flags() & kMountNoDev))
                return fail(lib::Errno::kEACCES, "device on a nodev mount");
            if ((want & kMayWrite) && (found.mount()->flags() & kMountReadOnly) && type != uapi::kS_IFCHR &&
                type != uapi::kS_IFIFO)
                return fail(lib::Errno::kEROFS, "read-only mount");
        }
    }
    if (created) flags &= ~uapi::kO_TRUNC;
    // O_NOCTTY reaches the open (a terminal's: tty_open) and goes from the
    // description's flags after it (File's constructor), as do_dentry_open.
    File* file = TRY(found.inode()->open(found, flags & ~(uapi::kO_CREAT | uapi::kO_EXCL | uapi::kO_TRUNC)));
    FileRef ref(file);
    if ((flags & uapi::kO_TRUNC) && found.inode()->is_regular()) TRY(found.inode()->truncate(0));
    return ref;
}

lib::Expected<FileRef> open_path(const Context& context, const Path& path, uint32_t flags) {
    flags |= uapi::kO_LARGEFILE;
    if (!(flags & uapi::kO_PATH)) {
        uint32_t accmode = flags & uapi::kO_ACCMODE;
        uint32_t want = accmode == uapi::kO_RDONLY ? kMayRead : accmode == uapi::kO_WRONLY ? kMayWrite
                                                                                       : kMayRead | kMayWrite;
        if (path.inode()->is_directory() && (want & kMayWrite)) return fail(lib::Errno::kEISDIR, "is a directory");
        TRY(path.inode()->permission(context.credentials, want));
    }
    File* file = TRY(path.inode()->open(path, flags & ~(uapi::kO_CREAT | uapi::kO_EXCL | uapi::kO_TRUNC)));
    return FileRef(file);
}

// ---- Making names

lib::Expected<void> make_directory(const Context& context, const Path& start, lib::StringView path, uint32_t mode) {
    Lock lock(namespace_lock());
    Walker walker(context);
    Path dir;
    Last last = TRY(prepare_create(walker, dir, start, path, true));
    uint32_t new_mode = uapi::kS_IFDIR | (mode & (0777 | uapi::kS_ISVTX) & ~context.umask);
    TRY(create_entry(context, dir, last.name, new_mode, 0, {}));
    return {};
}

lib::Expected<void> make_node(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                              uint64_t device) {
    // may_mknod comes before the lookup.
    uint32_t type = mode & uapi::kS_IFMT;
    switch (type) {
    case 0: mode |= uapi::kS_IFREG; break;
    case uapi::kS_IFREG:
    case uapi::kS_IFCHR:
    case uapi::kS_IFBLK:
    case uapi::kS_IFIFO:
    case uapi::kS_IFSOCK: break;
    case uapi::kS_IFDIR: return fail(lib::Errno::kEPERM, "mknod of a directory");
    default: return fail(lib::Errno::kEINVAL, "unknown file type");
    }
    type = mode & uapi::kS_IFMT;
    if ((type == uapi::kS_IFCHR || type == uapi::kS_IFBLK) && !context.credentials.privileged())
        return fail(lib::Errno::kEPERM, "device nodes need CAP_MKNOD");
    Lock lock(namespace_lock());
    Walker walker(context);
    Path dir;
    Last last = TRY(prepare_create(walker, dir, start, path, false));
    uint32_t new_mode = type | (mode & uapi::kS_IALLUGO & ~context.umask);
    uint64_t rdev = (type == uapi::kS_IFCHR || type == uapi::kS_IFBLK) ? device : 0;
    TRY(create_entry(context, dir, last.name, new_mode, rdev, {}));
    return {};
}

lib::Expected<void> make_symlink(const Context& context, lib::StringView target, const Path& start,
                                 lib::StringView path) {
    if (target.empty()) return fail(lib::Errno::kENOENT, "empty symlink target");
    if (target.size() >= uapi::kPATH_MAX) return fail(lib::Errno::kENAMETOOLONG, "target longer than PATH_MAX");
    Lock lock(namespace_lock());
    Walker walker(context);
    Path dir;
    Last last = TRY(prepare_create(walker, dir, start, path, false));
    TRY(create_entry(context, dir, last.name, uapi::kS_IFLNK | 0777, 0, target));
    return {};
}

lib::Expected<void> make_link(const Context& context, const Path& old_start, lib::StringView old_path,
                              const Path& new_start, lib::StringView new_path, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_FOLLOW | uapi::kAT_EMPTY_PATH)) return fail(lib::Errno::kEINVAL, "flags");
    Lock lock(namespace_lock());
    Walker walker(context);
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_FOLLOW) ? kFollow : 0) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path old = TRY(walker.resolve(old_start, old_path, lookup_flags));
    Walker new_walker(context);
    Path dir;
    Last last = TRY(prepare_create(new_walker, dir, new_start, new_path, false));
    if (old.mount() != dir.mount()) return fail(lib::Errno::kEXDEV, "link across mounts");
    TRY(may_create(context, dir));
    Inode* inode = old.inode();
    if (inode->is_directory()) return fail(lib::Errno::kEPERM, "hard link to a directory");
    if (inode->nlink() == 0) return fail(lib::Errno::kENOENT, "file was removed");
    Dentry* dentry = Dentry::make(dir.dentry(), last.name, inode);
    if (!dentry) return fail(lib::Errno::kENOMEM, "no memory for a dentry");
    inode->set_nlink(inode->nlink() + 1);
    inode->touch_ctime();
    dir.dentry()->link_child(dentry);
    dir.inode()->adjust_size(kDirectoryEntrySize);
    dir.inode()->touch_mtime_ctime();
    return {};
}

// ---- Removing names

lib::Expected<void> unlink(const Context& context, const Path& start, lib::StringView path) {
    if (path.empty()) return fail(lib::Errno::kENOENT, "empty path");
    Dentry* gone;
    {
        Lock lock(namespace_lock());
        Walker walker(context);
        Path dir;
        Last last = TRY(walker.parent(dir, start, path));
        if (last.type != LastType::kNormal) return fail(lib::Errno::kEISDIR, "unlink of . or ..");
        Dentry* victim = dir.dentry()->child(last.name);
        if (last.trailing_slash) {
            if (!victim) return fail(lib::Errno::kENOENT, "no such file or directory");
            if (victim->inode()->is_directory()) return fail(lib::Errno::kEISDIR, "is a directory");
            return fail(lib::Errno::kENOTDIR, "trailing slash on a non-directory");
        }
        if (!victim) return fail(lib::Errno::kENOENT, "no such file or directory");
        TRY(may_delete(context, dir, victim, false));
        if (victim->is_mount_point()) return fail(lib::Errno::kEBUSY, "mount point");
        gone = remove_entry(dir, victim);
    }
    gone->release();
    return {};
}

lib::Expected<void> remove_directory(const Context& context, const Path& start, lib::StringView path) {
    if (path.empty()) return fail(lib::Errno::kENOENT, "empty path");
    Dentry* gone;
    {
        Lock lock(namespace_lock());
        Walker walker(context);
        Path dir;
        Last last = TRY(walker.parent(dir, start, path));
        if (last.type == LastType::kDotDot) return fail(lib::Errno::kENOTEMPTY, "rmdir of ..");
        if (last.type == LastType::kDot) return fail(lib::Errno::kEINVAL, "rmdir of .");
        if (last.type == LastType::kRoot) return fail(lib::Errno::kEBUSY, "rmdir of the root");
        Dentry* victim = dir.dentry()->child(last.name);
        if (!victim) return fail(lib::Errno::kENOENT, "no such file or directory");
        TRY(may_delete(context, dir, victim, true));
        if (victim->is_mount_point() || (context.root && context.root.dentry() == victim))
            return fail(lib::Errno::kEBUSY, "mount point or root");
        if (victim->has_children()) return fail(lib::Errno::kENOTEMPTY, "directory not empty");
        gone = remove_entry(dir, victim);
    }
    gone->release();
    return {};
}

lib::Expected<void> rename(const Context& context, const Path& old_start, lib::StringView old_path,
                           const Path& new_start, lib::StringView new_path, uint32_t flags) {
    if (flags & ~(uapi::kRENAME_NOREPLACE | uapi::kRENAME_EXCHANGE | uapi::kRENAME_WHITEOUT))
        return fail(lib::Errno::kEINVAL, "unknown rename flags");
    if ((flags & uapi::kRENAME_EXCHANGE) && (flags & (uapi::kRENAME_NOREPLACE | uapi::kRENAME_WHITEOUT)))
        return fail(lib::Errno::kEINVAL, "RENAME_EXCHANGE with other flags");
    if (flags & uapi::kRENAME_WHITEOUT) return fail(lib::Errno::kEINVAL, "RENAME_WHITEOUT is not supported");
    if (old_path.empty() || new_path.empty()) return fail(lib::Errno::kENOENT, "empty path");
    const bool exchange = flags & uapi::kRENAME_EXCHANGE;
    Dentry* gone = nullptr;
    {
        Lock lock(namespace_lock());
        Walker old_walker(context), new_walker(context);
        Path old_dir, new_dir;
        Last old_last = TRY(old_walker.parent(old_dir, old_start, old_path));
        Last new_last = TRY(new_walker.parent(new_dir, new_start, new_path));
        if (old_dir.mount() != new_dir.mount()) return fail(lib::Errno::kEXDEV, "rename across mounts");
        if (old_last.type != LastType::kNormal) return fail(lib::Errno::kEBUSY, "rename of . or ..");
        if (new_last.type != LastType::kNormal)
            return fail((flags & uapi::kRENAME_NOREPLACE) ? lib::Errno::kEEXIST : lib::Errno::kEBUSY,
                        "rename onto . or ..");
        Dentry* source = old_dir.dentry()->child(old_last.name);
        if (!source) return fail(lib::Errno::kENOENT, "no such file or directory");
        Dentry* target = new_dir.dentry()->child(new_last.name);
        if (exchange && !target) return fail(lib::Errno::kENOENT, "RENAME_EXCHANGE target missing");
        if (!source->inode()->is_directory()) {
            if (old_last.trailing_slash) return fail(lib::Errno::kENOTDIR, "trailing slash on a non-directory");
            if (!exchange && new_last.trailing_slash)
                return fail(lib::Errno::kENOTDIR, "trailing slash on a non-directory");
        }
        if (exchange && !target->inode()->is_directory() && new_last.trailing_slash)
            return fail(lib::Errno::kENOTDIR, "trailing slash on a non-directory");
        // lock_rename's traps: the source above the target's directory, the
        // target above the source's.
        if (is_ancestor(source, new_dir.dentry())) return fail(lib::Errno::kEINVAL, "move into itself");
        if (target && (flags & uapi::kRENAME_NOREPLACE)) return fail(lib::Errno::kEEXIST, "target exists");
        if (target && is_ancestor(target, old_dir.dentry()))
            return fail(exchange ? lib::Errno::kEINVAL : lib::Errno::kENOTEMPTY, "target above the source");
        if (source == target) return {};
        if (source->inode() == (target ? target->inode() : nullptr)) return {};  // hard links of one file
        bool source_dir = source->inode()->is_directory();
        TRY(may_delete(context, old_dir, source, source_dir));
        if (!target) {
            TRY(may_create(context, new_dir));
        } else {
            TRY(may_delete(context, new_dir, target, exchange ? target->inode()->is_directory() : source_dir));
        }
        if (source->is_mount_point() || (target && target->is_mount_point()))
            return fail(lib::Errno::kEBUSY, "mount point");
        if (!exchange && target && source_dir && target->has_children())
            return fail(lib::Errno::kENOTEMPTY, "directory not empty");
        Dentry* old_parent = old_dir.dentry();
        Dentry* new_parent = new_dir.dentry();
        if (exchange) {
            bool target_dir = target->inode()->is_directory();
            // Swap by moving each under the other's name: the source away
            // first under a name nothing else can have, as tree order goes.
            TRY(old_parent->move_child(source, new_parent, new_last.name));
            // `target` now shares its name with source in new_parent; move it.
            TRY(new_parent->move_child(target, old_parent, old_last.name));
            if (old_parent != new_parent && source_dir != target_dir) {
                int delta = source_dir ? 1 : -1;
                new_dir.inode()->set_nlink(new_dir.inode()->nlink() + delta);
                old_dir.inode()->set_nlink(old_dir.inode()->nlink() - delta);
            }
            target->inode()->touch_ctime();
        } else {
            if (target) {
                gone = remove_entry(new_dir, target);
            }
            TRY(old_parent->move_child(source, new_parent, new_last.name));
            old_dir.inode()->adjust_size(-kDirectoryEntrySize);
            new_dir.inode()->adjust_size(kDirectoryEntrySize);
            if (source_dir && old_parent != new_parent) {
                old_dir.inode()->set_nlink(old_dir.inode()->nlink() - 1);
                new_dir.inode()->set_nlink(new_dir.inode()->nlink() + 1);
            }
        }
        source->inode()->touch_ctime();
        old_dir.inode()->touch_mtime_ctime();
        new_dir.inode()->touch_mtime_ctime();
    }
    if (gone) gone->release();
    return {};
}

// ---- Reading names and attributes

lib::Expected<size_t> read_link(const Context& context, const Path& start, lib::StringView path, char* buffer,
                                size_t size) {
    if (size == 0) return fail(lib::Errno::kEINVAL, "buffer size 0");
    Lock lock(namespace_lock());
    Walker walker(context);
    Path link = TRY(walker.resolve(start, path, kEmptyPath));
    if (!link.inode()->is_symlink())
        return fail(path.empty() ? lib::Errno::kENOENT : lib::Errno::kEINVAL, "not a symlink");
    if (const Path* jump = link.inode()->jump_target()) {
        // A magic link (procfs) reads as the name of where it goes, seen
        // from the reader's root (Linux's d_path), " (deleted)" after an
        // unlinked file's.
        char scratch[uapi::kPATH_MAX];
        size_t start;
        bool reachable;
        if (!build_name(context.root, *jump, scratch, sizeof scratch, start, reachable))
            return fail(lib::Errno::kENAMETOOLONG, "name too long");
        lib::StringView name(scratch + start, sizeof scratch - start);
        lib::StringView suffix = jump->dentry()->unlinked() ? " (deleted)" : "";
        size_t n = name.size() < size ? name.size() : size;
        lib::copy_bytes(buffer, name.data(), n);
        size_t m = suffix.size() < size - n ? suffix.size() : size - n;
        lib::copy_bytes(buffer + n, suffix.data(), m);
        return n + m;
    }
    lib::StringView target = link.inode()->link_target();
    size_t n = target.size() < size ? target.size() : size;
    lib::copy_bytes(buffer, target.data(), n);
    return n;
}

lib::Expected<uapi::Stat> stat(const Context& context, const Path& start, lib::StringView path, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_NO_AUTOMOUNT | uapi::kAT_EMPTY_PATH))
        return fail(lib::Errno::kEINVAL, "unknown flags");
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    return found.inode()->stat();
}

namespace {

uapi::Statx statx_from(const uapi::Stat& s, uint64_t mount_id) {
    uapi::Statx x{};
    x.stx_mask = uapi::kSTATX_BASIC_STATS | uapi::kSTATX_MNT_ID;
    x.stx_blksize = uint32_t(s.st_blksize);
    x.stx_nlink = uint32_t(s.st_nlink);
    x.stx_uid = s.st_uid;
    x.stx_gid = s.st_gid;
    x.stx_mode = uint16_t(s.st_mode);
    x.stx_ino = s.st_ino;
    x.stx_size = uint64_t(s.st_size);
    x.stx_blocks = uint64_t(s.st_blocks);
    x.stx_atime = {s.st_atime_sec, uint32_t(s.st_atime_nsec), 0};
    x.stx_mtime = {s.st_mtime_sec, uint32_t(s.st_mtime_nsec), 0};
    x.stx_ctime = {s.st_ctime_sec, uint32_t(s.st_ctime_nsec), 0};
    x.stx_rdev_major = uapi::dev_major(s.st_rdev);
    x.stx_rdev_minor = uapi::dev_minor(s.st_rdev);
    x.stx_dev_major = uapi::dev_major(s.st_dev);
    x.stx_dev_minor = uapi::dev_minor(s.st_dev);
    x.stx_mnt_id = mount_id;
    return x;
}

}  // namespace

uapi::Statx statx_of(const Path& path, uint32_t mask) {
    (void)mask;
    return statx_from(path.inode()->stat(), path.mount() ? path.mount()->id() : 0);
}

uapi::Statx statx_of(File& file, uint32_t mask) {
    // A pipe or an eventfd has no path: its own stat, on no mount.
    if (!file.path().inode()) return statx_from(file.stat(), 0);
    return statx_of(file.path(), mask);
}

lib::Expected<uapi::Statx> statx(const Context& context, const Path& start, lib::StringView path, uint32_t flags,
                                 uint32_t mask) {
    if (mask & uapi::kSTATX__RESERVED) return fail(lib::Errno::kEINVAL, "reserved statx mask bit");
    if ((flags & uapi::kAT_STATX_SYNC_TYPE) == uapi::kAT_STATX_SYNC_TYPE)
        return fail(lib::Errno::kEINVAL, "both statx sync types");
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_NO_AUTOMOUNT | uapi::kAT_EMPTY_PATH |
                  uapi::kAT_STATX_SYNC_TYPE))
        return fail(lib::Errno::kEINVAL, "unknown flags");
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    return statx_of(found, mask);
}

lib::Expected<void> access(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                           uint32_t flags) {
    if (mode & ~uint32_t(7)) return fail(lib::Errno::kEINVAL, "unknown access mode");
    if (flags & ~(uapi::kAT_EACCESS | uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH))
        return fail(lib::Errno::kEINVAL, "unknown flags");
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    if (mode == 0) return {};
    uint32_t mask = ((mode & uapi::kR_OK) ? kMayRead : 0) | ((mode & uapi::kW_OK) ? kMayWrite : 0) |
                    ((mode & uapi::kX_OK) ? kMayExec : 0);
    TRY(found.inode()->permission(context.credentials, mask));
    if ((mask & kMayWrite) && (found.mount()->flags() & kMountReadOnly)) {
        uint32_t type = found.inode()->type();
        if (type == uapi::kS_IFREG || type == uapi::kS_IFDIR || type == uapi::kS_IFLNK)
            return fail(lib::Errno::kEROFS, "read-only mount");
    }
    return {};
}

// ---- Changing attributes

lib::Expected<void> change_mode(const Context& context, Inode& inode, uint32_t mode) {
    if (!owner_or_privileged(context, inode)) return fail(lib::Errno::kEPERM, "not the owner");
    inode.set_mode_bits(mode);
    return {};
}

lib::Expected<void> change_mode(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                                uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH)) return fail(lib::Errno::kEINVAL, "flags");
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    if (found.inode()->is_symlink()) return fail(lib::Errno::kEOPNOTSUPP, "chmod of a symlink");
    return change_mode(context, *found.inode(), mode);
}

lib::Expected<void> change_owner(const Context& context, Inode& inode, uint32_t uid, uint32_t gid) {
    Attributes a = inode.attributes();
    if (!context.credentials.privileged()) {
        // chown(2): only root changes the owner; the owner may change the
        // group to one of its own.
        if (uid != ~0u && uid != a.uid) return fail(lib::Errno::kEPERM, "only root changes the owner");
        if (gid != ~0u && (context.credentials.uid != a.uid || gid != context.credentials.gid))
            return fail(lib::Errno::kEPERM, "not the owner or not a group of the caller");
    }
    inode.set_owner(uid, gid);
    // chown clears set-user-ID, and set-group-ID when group-executable, of
    // anything but a directory (notify_change's ATTR_KILL_SUID/SGID).
    if (!inode.is_directory() && !inode.is_symlink()) {
        uint32_t m = a.mode & uapi::kS_IALLUGO;
        uint32_t cleared = m & ~uapi::kS_ISUID;
        if ((m & (uapi::kS_ISGID | 010)) == (uapi::kS_ISGID | 010)) cleared &= ~uapi::kS_ISGID;
        if (cleared != m) inode.set_mode_bits(cleared);
    }
    return {};
}

lib::Expected<void> change_owner(const Context& context, const Path& start, lib::StringView path, uint32_t uid,
                                 uint32_t gid, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH)) return fail(lib::Errno::kEINVAL, "flags");
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    return change_owner(context, *found.inode(), uid, gid);
}

lib::Expected<void> truncate(const Context& context, const Path& start, lib::StringView path, int64_t length) {
    if (length < 0) return fail(lib::Errno::kEINVAL, "negative length");
    Path found = TRY(lookup(context, start, path, kFollow));
    Inode* inode = found.inode();
    if (inode->is_directory()) return fail(lib::Errno::kEISDIR, "is a directory");
    if (!inode->is_regular()) return fail(lib::Errno::kEINVAL, "not a regular file");
    TRY(inode->permission(context.credentials, kMayWrite));
    if (found.mount()->flags() & kMountReadOnly) return fail(lib::Errno::kEROFS, "read-only mount");
    return inode->truncate(uint64_t(length));
}

lib::Expected<void> set_times(const Context& context, Inode& inode, const uapi::Timespec* times) {
    uapi::Timespec now = current_time();
    uapi::Timespec both[2] = {{0, uapi::kUTIME_NOW}, {0, uapi::kUTIME_NOW}};
    if (times) both[0] = times[0], both[1] = times[1];
    bool only_now = (both[0].tv_nsec == uapi::kUTIME_NOW || both[0].tv_nsec == uapi::kUTIME_OMIT) &&
                    (both[1].tv_nsec == uapi::kUTIME_NOW || both[1].tv_nsec == uapi::kUTIME_OMIT);
    if (!owner_or_privileged(context, inode)) {
        // utimensat(2): explicit times need the owner; "now" needs write
        // permission.
        if (!only_now) return fail(lib::Errno::kEPERM, "not the owner");
        TRY(inode.permission(context.credentials, kMayWrite));
    }
    uapi::Timespec values[2];
    const uapi::Timespec* set[2] = {nullptr, nullptr};
    for (int i = 0; i < 2; ++i) {
        if (both[i].tv_nsec == uapi::kUTIME_OMIT) continue;
        values[i] = both[i].tv_nsec == uapi::kUTIME_NOW ? now : both[i];
        set[i] = &values[i];
    }
    inode.set_times(set[0], set[1]);
    return {};
}

lib::Expected<void> set_times(const Context& context, const Path& start, lib::StringView path,
                              const uapi::Timespec* times, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH)) return fail(lib::Errno::kEINVAL, "flags");
    if (times) {
        TRY(check_nsec(times[0]));
        TRY(check_nsec(times[1]));
        if (times[0].tv_nsec == uapi::kUTIME_OMIT && times[1].tv_nsec == uapi::kUTIME_OMIT) return {};
    }
    uint32_t lookup_flags = ((flags & uapi::kAT_SYMLINK_NOFOLLOW) ? 0 : kFollow) |
                            ((flags & uapi::kAT_EMPTY_PATH) ? kEmptyPath : 0);
    Path found = TRY(lookup(context, start, path, lookup_flags));
    return set_times(context, *found.inode(), times);
}

// ---- The process's places

lib::Expected<void> change_directory(Context& context, const Path& directory) {
    if (!is_directory(directory)) return fail(lib::Errno::kENOTDIR, "not a directory");
    TRY(directory.inode()->permission(context.credentials, kMayExec));
    context.cwd = directory;
    return {};
}

lib::Expected<void> change_directory(Context& context, const Path& start, lib::StringView path) {
    Path found = TRY(lookup(context, start, path, kFollow | kDirectory));
    return change_directory(context, found);
}

lib::Expected<void> change_root(Context& context, const Path& start, lib::StringView path) {
    Path found = TRY(lookup(context, start, path, kFollow | kDirectory));
    TRY(found.inode()->permission(context.credentials, kMayExec));
    if (!context.credentials.privileged()) return fail(lib::Errno::kEPERM, "chroot needs CAP_SYS_CHROOT");
    context.root = found;
    return {};
}

namespace {

// Writes the name of `path` as seen from `root` at the end of buffer[0,
// size), returning where it starts; false when it does not fit or `path`
// is not under `root` (then *reachable is false and the name is from the
// namespace's root).
bool build_name(const Path& root, const Path& path, char* buffer, size_t size, size_t& start, bool& reachable) {
    size_t at = size;
    Mount* mount = path.mount();
    Dentry* dentry = path.dentry();
    reachable = true;
    for (;;) {
        if (root && mount == root.mount() && dentry == root.dentry()) break;
        if (dentry == mount->root()) {
            if (!mount->parent()) {
                reachable = !root;
                break;
            }
            dentry = mount->mount_point();
            mount = mount->parent();
            continue;
        }
        lib::StringView name = dentry->name();
        if (at < name.size() + 1) return false;
        at -= name.size();
        lib::copy_bytes(buffer + at, name.data(), name.size());
        buffer[--at] = '/';
        dentry = dentry->parent();
    }
    if (at == size) {
        if (at < 1) return false;
        buffer[--at] = '/';
    }
    start = at;
    return true;
}

}  // namespace

lib::Expected<size_t> current_directory(const Context& context, char* buffer, size_t size) {
    char scratch[uapi::kPATH_MAX];
    size_t start;
    bool reachable;
    {
        Lock lock(namespace_lock());
        if (context.cwd.dentry()->unlinked()) return fail(lib::Errno::kENOENT, "cwd was removed");
        if (!build_name(context.root, context.cwd, scratch, sizeof scratch, start, reachable))
            return fail(lib::Errno::kENAMETOOLONG, "cwd name too long");
    }
    lib::StringView name(scratch + start, sizeof scratch - start);
    lib::StringView prefix = reachable ? "" : "(unreachable)";
    size_t length = prefix.size() + name.size();
    if (length + 1 > size) return fail(lib::Errno::kERANGE, "buffer too small for the cwd");
    lib::copy_bytes(buffer, prefix.data(), prefix.size());
    lib::copy_bytes(buffer + prefix.size(), name.data(), name.size());
    buffer[length] = 0;
    return length + 1;
}

lib::Expected<size_t> path_name(const Path& root, const Path& path, char* buffer, size_t size) {
    char scratch[uapi::kPATH_MAX];
    size_t start;
    bool reachable;
    bool deleted;
    {
        Lock lock(namespace_lock());
        deleted = path.dentry()->unlinked();
        if (!build_name(root, path, scratch, sizeof scratch, start, reachable))
            return fail(lib::Errno::kENAMETOOLONG, "name too long");
    }
    lib::StringView name(scratch + start, sizeof scratch - start);
    lib::StringView suffix = deleted ? " (deleted)" : "";
    size_t length = name.size() + suffix.size();
    if (length > size) return fail(lib::Errno::kENAMETOOLONG, "name too long");
    lib::copy_bytes(buffer, name.data(), name.size());
    lib::copy_bytes(buffer + name.size(), suffix.data(), suffix.size());
    return length;
}

size_t inode_name(const Inode& inode, char* buffer, size_t size) {
    Lock lock(namespace_lock());
    Dentry* alias = inode.alias();
    if (!alias) return 0;
    Dentry* top = alias;
    while (top->parent()) top = top->parent();
    for (Mount* m = Mount::first(); m; m = Mount::next(*m)) {
        if (&m->file_system() != &inode.file_system() || m->root() != top) continue;
        char scratch[uapi::kPATH_MAX];
        size_t start;
        bool reachable;
        if (!build_name(Path(), Path(m, alias), scratch, sizeof scratch, start, reachable)) return 0;
        size_t n = sizeof scratch - start < size ? sizeof scratch - start : size;
        lib::copy_bytes(buffer, scratch + start, n);
        return n;
    }
    return 0;
}

namespace {

// Calls `visit(mount, point)` for every mount, oldest first, with the name
// of the place it is mounted on (from the namespace's root), under the
// namespace lock; /proc/mounts and mountinfo.
template <typename Visit>
void for_each_mount_point(Visit&& visit) {
    Lock lock(namespace_lock());
    char scratch[uapi::kPATH_MAX];
    for (Mount* m = Mount::first(); m; m = Mount::next(*m)) {
        size_t start;
        bool reachable;
        Path point = m->parent() ? Path(m->parent(), m->mount_point()) : Path(m, m->root());
        if (!build_name(Path(), point, scratch, sizeof scratch, start, reachable)) continue;
        visit(*m, lib::StringView(scratch + start, sizeof scratch - start));
    }
}

// The per-mount options both files show: "rw,nosuid,nodev,noexec,relatime".
void put_mount_options(procfs::Text& out, uint32_t flags) {
    out.format("{}{}{}{},relatime", (flags & kMountReadOnly) ? "ro" : "rw", (flags & kMountNoSuid) ? ",nosuid" : "",
               (flags & kMountNoDev) ? ",nodev" : "", (flags & kMountNoExec) ? ",noexec" : "");
}

}  // namespace

lib::Expected<void> procfs::mounts_text(int32_t, procfs::Text& out) {
    // proc(5) /proc/mounts: "source point type options 0 0", oldest first;
    // the source is the file system's type name (mount(2)'s source is not
    // kept).
    for_each_mount_point([&](Mount& m, lib::StringView point) {
        out.format("{} {} {} ", m.file_system().type_name(), point, m.file_system().type_name());
        put_mount_options(out, m.flags());
        out.append(" 0 0\n");
    });
    return {};
}

lib::Expected<void> procfs::mountinfo_text(int32_t, procfs::Text& out) {
    // proc(5) /proc/<pid>/mountinfo: "id parent major:minor root point
    // per-mount-options [optional fields] - type source super-options",
    // oldest first. The root mount's parent is itself (the namespace's
    // root); every mount shows its file system's root ("/": no bind
    // mounts), no optional fields (no shared subtrees), the source as in
    // /proc/mounts.
    for_each_mount_point([&](Mount& m, lib::StringView point) {
        uint64_t device = m.file_system().device();
        out.format("{} {} {}:{} / {} ", m.id(), m.parent() ? m.parent()->id() : m.id(), uapi::dev_major(device),
                   uapi::dev_minor(device), point);
        put_mount_options(out, m.flags());
        out.format(" - {} {} {}\n", m.file_system().type_name(), m.file_system().type_name(),
                   (m.flags() & kMountReadOnly) ? "ro" : "rw");
    });
    return {};
}

uapi::Statfs statfs(const Path& path) {
    uapi::Statfs s = path.inode()->file_system().statfs();
    uint32_t flags = path.mount() ? path.mount()->flags() : 0;
    s.f_flags = uapi::kST_VALID | (flags & (kMountReadOnly | kMountNoSuid | kMountNoDev | kMountNoExec));
    return s;
}

uapi::Statfs statfs(const File& file) {
    if (file.path().inode()) return statfs(file.path());
    // A file of no mount (a pipe, an eventfd): its internal file system's
    // (fstatfs on a pipe reports PIPEFS_MAGIC).
    uapi::Statfs s = file.inode()->file_system().statfs();
    s.f_flags = uapi::kST_VALID;
    return s;
}

lib::Expected<void> mount(const Context& context, FileSystem& fs, const Path& start, lib::StringView path,
                          uint32_t flags) {
    if (!context.credentials.privileged()) return fail(lib::Errno::kEPERM, "mount needs CAP_SYS_ADMIN");
    Lock lock(namespace_lock());
    Walker walker(context);
    Path where = TRY(walker.resolve(start, path, kFollow));
    if (!is_directory(where)) return fail(lib::Errno::kENOTDIR, "mount point is not a directory");
    if (where.dentry()->unlinked()) return fail(lib::Errno::kENOENT, "mount point was removed");
    TRY(Mount::attach(fs, where, flags));
    return {};
}

lib::Expected<void> unmount(const Context& context, const Path& start, lib::StringView path) {
    if (!context.credentials.privileged()) return fail(lib::Errno::kEPERM, "umount needs CAP_SYS_ADMIN");
    Lock lock(namespace_lock());
    Walker walker(context);
    Path where = TRY(walker.resolve(start, path, kFollow));
    if (where.dentry() != where.mount()->root()) return fail(lib::Errno::kEINVAL, "not a mount point");
    return where.mount()->detach();
}

}  // namespace fs
