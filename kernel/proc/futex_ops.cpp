// FUTEX_WAKE_OP's operation and comparison (futex(2), "FUTEX_WAKE_OP"),
// and the robust-list walk at a thread's end (robust_list.hpp).
#include <stddef.h>

#include "kernel/abi/linux_futex.hpp"
#include "kernel/proc/futex_table.hpp"
#include "kernel/proc/robust_list.hpp"

namespace proc {
namespace {

// val3's fields: op in bits 28..31 (bit 31: OPARG_SHIFT), cmp in 24..27,
// oparg in 12..23 and cmparg in 0..11, both signed 12-bit numbers.
int32_t sign_extend_12(uint32_t value) {
    return int32_t(value << 20) >> 20;
}

lib::Error nosys(const char* message) {
    return lib::Error::make(lib::Errno::kENOSYS, message);
}

}  // namespace

lib::Expected<uint32_t> futex_op_apply(uint32_t encoded, uint32_t old_value) {
    uint32_t op = (encoded >> 28) & 0x7;
    int32_t oparg = sign_extend_12((encoded >> 12) & 0xfff);
    if (encoded & (uint32_t(uapi::kFUTEX_OP_OPARG_SHIFT) << 28)) {
        // Linux takes the shift modulo 32 (after a warning) when it is out of range.
        oparg = int32_t(1u << (uint32_t(oparg) & 31));
    }
    uint32_t arg = uint32_t(oparg);
    switch (int(op)) {
        case uapi::kFUTEX_OP_SET: return arg;
        case uapi::kFUTEX_OP_ADD: return old_value + arg;
        case uapi::kFUTEX_OP_OR: return old_value | arg;
        case uapi::kFUTEX_OP_ANDN: return old_value & ~arg;
        case uapi::kFUTEX_OP_XOR: return old_value ^ arg;
        default: return nosys("futex: unknown FUTEX_WAKE_OP operation");
    }
}

lib::Expected<bool> futex_op_compare(uint32_t encoded, uint32_t old_value) {
    int32_t old_signed = int32_t(old_value);
    int32_t cmparg = sign_extend_12(encoded & 0xfff);
    switch (int((encoded >> 24) & 0xf)) {
        case uapi::kFUTEX_OP_CMP_EQ: return old_signed == cmparg;
        case uapi::kFUTEX_OP_CMP_NE: return old_signed != cmparg;
        case uapi::kFUTEX_OP_CMP_LT: return old_signed < cmparg;
        case uapi::kFUTEX_OP_CMP_LE: return old_signed <= cmparg;
        case uapi::kFUTEX_OP_CMP_GT: return old_signed > cmparg;
        case uapi::kFUTEX_OP_CMP_GE: return old_signed >= cmparg;
        default: return nosys("futex: unknown FUTEX_WAKE_OP comparison");
    }
}

namespace {

// One futex the dying thread may hold (Linux's handle_futex_death). False
// when the walk must stop (a word that cannot be reached).
bool futex_owner_died(uint64_t address, uint32_t tid, bool pi, bool pending, FutexMemory& memory, RobustWake wake,
                      void* context) {
    if (address % sizeof(uint32_t) != 0) return false;
    uint32_t value;
    if (!memory.load(address, value)) return false;
    for (;;) {
        // The lock was being released and is free already: the waiter the
        // release would have woken may never be (the thread died between
        // the store and the FUTEX_WAKE), so wake one now.
        if (pending && !pi && value == 0) {
            wake(context, address);
            return true;
        }
        if ((value & uapi::kFUTEX_TID_MASK) != tid) return true;
        uint32_t died = (value & uapi::kFUTEX_WAITERS) | uapi::kFUTEX_OWNER_DIED;
        uint32_t actual;
        if (!memory.compare_exchange(address, value, died, actual)) return false;
        if (actual != value) {
            value = actual;  // changed under us (a waiter set FUTEX_WAITERS): again
            continue;
        }
        if (!pi && (value & uapi::kFUTEX_WAITERS)) wake(context, address);
        return true;
    }
}

// A list link: the entry's address, and bit 0 for a PI futex.
bool fetch_entry(FutexMemory& memory, uint64_t at, uint64_t& entry, bool& pi) {
    uint64_t raw;
    if (!memory.load_pointer(at, raw)) return false;
    entry = raw & ~uint64_t(1);
    pi = (raw & 1) != 0;
    return true;
}

}  // namespace

void walk_robust_list(uint64_t head, uint32_t tid, FutexMemory& memory, RobustWake wake, void* context) {
    uint64_t entry, pending, offset_word;
    bool pi, pending_pi;
    if (!fetch_entry(memory, head + offsetof(uapi::RobustListHead, next), entry, pi)) return;
    if (!memory.load_pointer(head + offsetof(uapi::RobustListHead, futex_offset), offset_word)) return;
    if (!fetch_entry(memory, head + offsetof(uapi::RobustListHead, list_op_pending), pending, pending_pi)) return;
    int64_t offset = int64_t(offset_word);
    uint32_t limit = uapi::kROBUST_LIST_LIMIT;
    while (entry != head) {
        uint64_t next;
        bool next_pi;
        bool fetched = fetch_entry(memory, entry, next, next_pi);
        // The entry being acquired or released is handled last, once.
        if (entry != pending && !futex_owner_died(entry + uint64_t(offset), tid, pi, false, memory, wake, context))
            return;
        if (!fetched) return;
        entry = next;
        pi = next_pi;
        if (--limit == 0) break;  // a cycle or a huge list: stop, as Linux does
    }
    if (pending) futex_owner_died(pending + uint64_t(offset), tid, pending_pi, true, memory, wake, context);
}

}  // namespace proc
