// Path resolution (see walk.hpp and vfs.hpp for the rules).
#include "kernel/fs/walk.hpp"

namespace fs {

namespace {
bool is_directory(const Path& p) { return p.inode() && p.inode()->is_directory(); }
}  // namespace

void Walker::cross_mounts(Path& at) {
    while (Mount* m = Mount::mounted_on(at.mount(), at.dentry())) at = Path(m, m->root());
}

void Walker::dotdot(Path& at) {
    for (;;) {
        if (context_.root && at == context_.root) return;
        if (at.dentry() == at.mount()->root()) {
            if (!at.mount()->parent()) return;  // the namespace's root
            at = Path(at.mount()->parent(), at.mount()->mount_point());
            continue;
        }
        at = Path(at.mount(), at.dentry()->parent());
        break;
    }
    cross_mounts(at);
}

lib::Expected<void> Walker::step(Path& at, lib::StringView name) {
    if (name == ".") return {};
    if (name == "..") {
        dotdot(at);
        return {};
    }
    Path found = named(at, name);
    if (!found) return fail(lib::Errno::kENOENT, "no such file or directory");
    at = lib::move(found);
    cross_mounts(at);
    return {};
}

Path Walker::named(const Path& dir, lib::StringView name) {
    if (Dentry* c = dir.dentry()->child(name)) return Path(dir.mount(), c);
    // A synthetic directory (procfs) makes the entry when asked.
    Dentry* made = dir.inode()->lookup(*dir.dentry(), name);
    if (!made) return Path();
    Path found(dir.mount(), made);
    made->release();  // the Path holds it now
    return found;
}

lib::Expected<Last> Walker::parent(Path& dir, const Path& start, lib::StringView path) {
    if (path.size() >= uapi::kPATH_MAX) return fail(lib::Errno::kENAMETOOLONG, "path longer than PATH_MAX");
    size_t i = 0;
    if (path.size() && path[0] == '/') {
        dir = context_.root;
    } else {
        dir = start;
        if (!is_directory(dir)) return fail(lib::Errno::kENOTDIR, "start of a relative path is not a directory");
    }
    while (i < path.size() && path[i] == '/') ++i;
    if (i == path.size()) return Last{{}, path.empty() ? LastType::kDot : LastType::kRoot, false};
    for (;;) {
        size_t end = i;
        while (end < path.size() && path[end] != '/') ++end;
        lib::StringView name = path.substr(i, end - i);
        size_t next = end;
        while (next < path.size() && path[next] == '/') ++next;
        // may_lookup: search permission in the directory the name is in.
        if (!is_directory(dir)) return fail(lib::Errno::kENOTDIR, "not a directory");
        TRY(dir.inode()->permission(context_.credentials, kMayExec));
        if (name.size() > uapi::kNAME_MAX) return fail(lib::Errno::kENAMETOOLONG, "component longer than NAME_MAX");
        if (next == path.size()) {
            Last last{name, LastType::kNormal, next > end};
            if (name == ".") last.type = LastType::kDot;
            else if (name == "..") last.type = LastType::kDotDot;
            return last;
        }
        Path before = dir;
        TRY(step(dir, name));
        if (dir.inode()->is_symlink()) TRY(follow(dir, before));
        i = next;
    }
}

lib::Expected<Path> Walker::child(const Path& dir, const Last& last) {
    Path at = dir;
    switch (last.type) {
    case LastType::kRoot:
    case LastType::kDot: return at;
    case LastType::kDotDot: dotdot(at); return at;
    case LastType::kNormal: break;
    }
    at = named(dir, last.name);
    if (!at) return at;
    cross_mounts(at);
    return at;
}

lib::Expected<void> Walker::follow(Path& at, const Path& dir) {
    TRY(count_link());
    if (const Path* jump = at.inode()->jump_target()) {
        Path target = *jump;
        at = lib::move(target);
        return {};
    }
    lib::StringView target = at.inode()->link_target();
    if (target.empty()) return fail(lib::Errno::kENOENT, "empty symlink");
    Path base = dir;
    Path last_dir;
    Last last = TRY(parent(last_dir, base, target));
    Path found = TRY(child(last_dir, last));
    at = TRY(finish(lib::move(last_dir), last, lib::move(found), kFollow));
    return {};
}

lib::Expected<Path> Walker::finish(Path dir, const Last& last, Path found, uint32_t flags) {
    if (!found) return fail(lib::Errno::kENOENT, "no such file or directory");
    if (found.inode()->is_symlink() && ((flags & kFollow) || last.trailing_slash)) TRY(follow(found, dir));
    if ((last.trailing_slash || (flags & kDirectory)) && !is_directory(found))
        return fail(lib::Errno::kENOTDIR, "not a directory");
    return found;
}

lib::Expected<Path> Walker::resolve(const Path& start, lib::StringView path, uint32_t flags) {
    if (path.empty()) {
        if (!(flags & kEmptyPath)) return fail(lib::Errno::kENOENT, "empty path");
        if ((flags & kDirectory) && !is_directory(start)) return fail(lib::Errno::kENOTDIR, "not a directory");
        return start;
    }
    Path dir;
    Last last = TRY(parent(dir, start, path));
    Path found = TRY(child(dir, last));
    return finish(lib::move(dir), last, lib::move(found), flags);
}

}  // namespace fs
