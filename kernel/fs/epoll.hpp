// epoll(7): an epoll instance is a file holding items, each watching one
// (open file description, descriptor number) pair for a set of events, and
// a ready list of the items whose file announced a change. It is built on
// the same readiness hooks as poll(2) (poll.hpp): an item's PollEntry sits
// on the watched file's PollHead, and the head's notify puts the item on
// the ready list and wakes epoll_wait. epoll_wait then asks each ready
// item's file for its events again (File::poll), so a notify is only a
// hint, as in Linux's fs/eventpoll.c.
//
// - Level-triggered items go back on the ready list after being reported
//   (asked again next time); EPOLLET ones wait for the next notify;
//   EPOLLONESHOT ones are disabled until EPOLL_CTL_MOD re-arms them.
// - EPOLLERR and EPOLLHUP are always watched.
// - EPOLLEXCLUSIVE (ADD only, with Linux's EINVAL rules): the item's entry
//   is exclusive on the file's heads, so a notify reaches every plain item
//   but, of the exclusive ones (in the order they were added), only those
//   up to the first whose instance has a thread in epoll_wait; the ones
//   passed over still queue the event. A hang-up or an error reaches all
//   (docs/fs.md "epoll").
// - An item belongs to its open file description: closing one descriptor
//   of a dup'ed file keeps it; the description's last release drops it
//   (File::release calls epoll_forget_file), as Linux's eventpoll_release.
// - An epoll instance is pollable (POLLIN while an item has events), so
//   instances nest; adding one that would make a cycle, or one with more
//   than EP_MAX_NESTS + 1 (5) levels of instances below it, is ELOOP
//   (6.1's ep_loop_check, which looks only down from the target).
//
// Locks: a global mutex serialises the structure (epoll_ctl, loop checks,
// the files' item lists, closes); each instance's mutex serialises its
// scans (epoll_wait, its own poll) against item removal, so a file being
// asked is never freed under the scan; the ready list has an IRQ-safe
// spinlock, taken by the notify callbacks (any context, under the watched
// head's lock). Order: global, instance (outer before nested), head, ready.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "kernel/fs/file.hpp"
#include "kernel/fs/io_buffer.hpp"
#include "lib/expected.hpp"

namespace fs {

// epoll_create1(flags): a new instance (EPOLL_CLOEXEC is the caller's to
// apply to the descriptor; other flags EINVAL).
lib::Expected<FileRef> make_epoll(uint32_t flags);

bool is_epoll(const File& file);

// epoll_ctl(2) once both descriptors are looked up: `op` ADD/MOD/DEL of
// (`target`, `fd`) in `epoll` with `event` (not read for DEL). Linux's
// errno order: EPERM for a target without poll, EINVAL when `epoll` is
// not one or is the target, or for EPOLLEXCLUSIVE misuse or an unknown op,
// ELOOP, then EEXIST/ENOENT.
lib::Expected<void> epoll_control(File& epoll, int op, File& target, int fd, const uapi::EpollEvent& event);

// epoll_wait's core: up to `max` events into `out` (12-byte records; a
// fault there is EFAULT when nothing was written, else the count so far),
// waiting until one comes, until `deadline_ns` (ns, ktime; 0: do not wait;
// ~0: never) — then 0 — or a signal: EINTR (epoll_wait is never
// restarted). EINVAL when `epoll` is not an instance.
lib::Expected<size_t> epoll_wait_events(File& epoll, IoBuffer& out, size_t max, uint64_t deadline_ns);

// The last reference of `file` went: its items leave every instance.
void epoll_forget_file(File& file);

}  // namespace fs
