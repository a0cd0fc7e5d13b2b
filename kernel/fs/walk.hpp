// Path resolution (private to kernel/fs): Linux's link_path_walk and its
// last-component handling, over the dentry tree. Everything here runs with
// the namespace lock held by the caller.
#pragma once

#include "kernel/fs/vfs.hpp"

namespace fs {

enum class LastType : uint8_t { kNormal, kDot, kDotDot, kRoot };

struct Last {
    lib::StringView name;
    LastType type = LastType::kNormal;
    bool trailing_slash = false;
};

class Walker {
public:
    explicit Walker(const Context& context) : context_(context) {}

    // Walks all of `path` but its last component from `start`: `dir` ends
    // at the directory that holds it (checked to be a searchable directory).
    lib::Expected<Last> parent(Path& dir, const Path& start, lib::StringView path);
    // The dentry `last` names in `dir` without following a final symlink:
    // an empty Path when there is none (for kNormal); "." and ".." resolved.
    lib::Expected<Path> child(const Path& dir, const Last& last);
    // Replaces `at` (a symlink found in `dir`) by what it points to, fully
    // resolved (counts towards the 40 links).
    lib::Expected<void> follow(Path& at, const Path& dir);
    // One more symlink followed: ELOOP past 40.
    lib::Expected<void> count_link() {
        if (++links_ > uapi::kMAXSYMLINKS) return fail(lib::Errno::kELOOP, "too many levels of symbolic links");
        return {};
    }
    // `name` in `dir`: its dentry in the tree, or the one a synthetic
    // directory makes (Inode::lookup); an empty Path when there is none.
    static Path named(const Path& dir, lib::StringView name);
    // Whole resolution.
    lib::Expected<Path> resolve(const Path& start, lib::StringView path, uint32_t flags);
    // After child(): follows a last symlink if asked (or a trailing slash
    // demands it), then checks the directory requirements.
    lib::Expected<Path> finish(Path dir, const Last& last, Path found, uint32_t flags);

private:
    lib::Expected<void> step(Path& at, lib::StringView name);
    void dotdot(Path& at);

    static void cross_mounts(Path& at);

    const Context& context_;
    unsigned links_ = 0;
};

}  // namespace fs
