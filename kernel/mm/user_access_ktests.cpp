// In-kernel tests of the user-memory copies (kernel/arch/x86_64/uaccess.hpp)
// and their exception-table fix-ups (suite "uaccess"), on the real CPU; here
// because they need mm to map a user page: one mapped into the kernel's own
// tables at a low address, then copies into it, across its
// end into an unmapped page (the #PF lands on a fix-up and the copy
// reports what it did not do), from the kernel half and non-canonical
// addresses (refused before any access), and the protections: with SMAP a
// plain kernel read of the user page faults, with SMEP a jump into it does.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/test/ktest.hpp"

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kUserPage = 0x7000'0000'0000ULL;  // a user address nothing else maps in the kernel's tables
constexpr uint64_t kUnmappedNext = kUserPage + kPage;

// Maps one zeroed frame at kUserPage, user-accessible and writable; unmaps
// and frees it at the end of the scope.
class UserPage {
public:
    UserPage() {
        auto frame = mm::frames().allocate(mm::Zeroing::kYes);
        if (!frame) return;
        frame_ = *frame;
        ok_ = mm::map(kUserPage, frame_, kPage, {.writable = true, .user = true, .executable = true},
                      mm::PageSize::k4KiB)
                  .has_value();
    }
    ~UserPage() {
        if (ok_) (void)mm::unmap(kUserPage, kPage);
        if (frame_) mm::frames().free(frame_);
    }
    bool ok() const { return ok_; }
    // The page's bytes through the physical map (no SMAP involved).
    uint8_t* bytes() const { return reinterpret_cast<uint8_t*>(frame_ + arch::physical_map_offset()); }

private:
    uint64_t frame_ = 0;
    bool ok_ = false;
};

}  // namespace

KTEST(uaccess, ranges_are_checked_before_any_access) {
    KEXPECT(arch::user_range_ok(0, 0));
    KEXPECT(arch::user_range_ok(0x1000, 16));
    KEXPECT(arch::user_range_ok(arch::kUserTop - 16, 16));
    KEXPECT(!arch::user_range_ok(arch::kUserTop - 16, 17));
    KEXPECT(!arch::user_range_ok(0xffffffff80000000ULL, 8));  // the kernel image
    KEXPECT(!arch::user_range_ok(0x8000000000000000ULL, 8));  // non-canonical
    KEXPECT(!arch::user_range_ok(0x10, ~0ULL - 8));           // wraps around
    uint8_t buffer[16] = {};
    // Kernel and non-canonical sources are refused without touching them:
    // everything "not copied", and no fault (the kernel stays up).
    KEXPECT_EQ(arch::copy_from_user(buffer, 0xffffffff80000000ULL, 16), 16u);
    KEXPECT_EQ(arch::copy_from_user(buffer, 0x8000000000000000ULL, 16), 16u);
    KEXPECT_EQ(arch::copy_to_user(0xffff800000000000ULL, buffer, 16), 16u);
    KEXPECT_EQ(arch::clear_user(0xffffffff80000000ULL, 16), 16u);
    char name[8];
    KEXPECT_EQ(arch::strncpy_from_user(name, 0xffffffff80000000ULL, sizeof name), -1);
    uint64_t word = 0;
    KEXPECT(!arch::load_user_u64(0xffffffff80000000ULL, word));
    KEXPECT(!arch::store_user_u32(0x8000000000000000ULL, 1));
    KEXPECT_EQ(arch::copy_from_user(buffer, 0x1000, 0), 0u);
}

KTEST(uaccess, unmapped_user_memory_takes_the_fixup) {
    uint8_t buffer[64];
    // Unmapped low memory: a real #PF in the copy, resumed at its fix-up.
    KEXPECT_EQ(arch::copy_from_user(buffer, 0x1000, sizeof buffer), sizeof buffer);
    KEXPECT_EQ(arch::copy_to_user(0x1000, buffer, 3), 3u);
    KEXPECT_EQ(arch::clear_user(0x1000, 20), 20u);
    char name[8];
    KEXPECT_EQ(arch::strncpy_from_user(name, 0x1000, sizeof name), -1);
    uint32_t word = 0;
    KEXPECT(!arch::load_user_u32(0x1000, word));
    KEXPECT(!arch::store_user_u64(0x1000, 5));
}

KTEST(uaccess, copies_to_and_from_a_mapped_page) {
    UserPage page;
    KASSERT(page.ok());
    const char text[] = "hello, user space";
    KEXPECT_EQ(arch::copy_to_user(kUserPage + 100, text, sizeof text), 0u);
    KEXPECT(__builtin_memcmp(page.bytes() + 100, text, sizeof text) == 0);
    char back[sizeof text] = {};
    KEXPECT_EQ(arch::copy_from_user(back, kUserPage + 100, sizeof back), 0u);
    KEXPECT(__builtin_memcmp(back, text, sizeof text) == 0);

    char name[64];
    KEXPECT_EQ(arch::strncpy_from_user(name, kUserPage + 100, sizeof name), int64_t(sizeof text - 1));
    KEXPECT(__builtin_memcmp(name, text, sizeof text) == 0);
    // No NUL within the capacity: the capacity comes back, no NUL stored.
    KEXPECT_EQ(arch::strncpy_from_user(name, kUserPage + 100, 5), 5);

    KEXPECT_EQ(arch::clear_user(kUserPage + 100, 5), 0u);
    KEXPECT_EQ(page.bytes()[104], 0);
    KEXPECT_EQ(page.bytes()[105], uint8_t(text[5]));

    KEXPECT(arch::store_user_u32(kUserPage + 8, 0xdeadbeef));
    uint32_t word = 0;
    KEXPECT(arch::load_user_u32(kUserPage + 8, word));
    KEXPECT_EQ(word, 0xdeadbeefu);
    KEXPECT(!arch::load_user_u32(kUserPage + 9, word));  // misaligned: refused
}

// The futex primitive: the store happens only when the old value matches,
// and the old value comes back either way.
KTEST(uaccess, compare_exchange_on_a_user_word) {
    UserPage page;
    KASSERT(page.ok());
    KEXPECT(arch::store_user_u32(kUserPage + 16, 7));
    uint32_t actual = 0;
    KEXPECT(arch::cmpxchg_user_u32(kUserPage + 16, 5, 9, actual));
    KEXPECT_EQ(actual, 7u);
    uint32_t word = 0;
    KEXPECT(arch::load_user_u32(kUserPage + 16, word));
    KEXPECT_EQ(word, 7u);
    KEXPECT(arch::cmpxchg_user_u32(kUserPage + 16, 7, 9, actual));
    KEXPECT_EQ(actual, 7u);
    KEXPECT(arch::load_user_u32(kUserPage + 16, word));
    KEXPECT_EQ(word, 9u);
    KEXPECT(!arch::cmpxchg_user_u32(kUserPage + 18, 9, 1, actual));         // misaligned
    KEXPECT(!arch::cmpxchg_user_u32(kUnmappedNext, 0, 1, actual));          // unmapped: the fix-up
    KEXPECT(!arch::cmpxchg_user_u32(0xffffffff80000000ULL, 0, 1, actual));  // the kernel half
}

KTEST(uaccess, a_copy_across_the_end_of_the_mapping_stops_at_the_faulting_byte) {
    UserPage page;
    KASSERT(page.ok());
    for (int i = 0; i < 16; ++i) page.bytes()[kPage - 16 + i] = uint8_t(0xa0 + i);
    uint8_t buffer[40] = {};
    // 16 readable bytes, then the unmapped page: 24 not copied, exactly.
    KEXPECT_EQ(arch::copy_from_user(buffer, kUnmappedNext - 16, sizeof buffer), 24u);
    KEXPECT_EQ(buffer[0], 0xa0);
    KEXPECT_EQ(buffer[15], 0xaf);
    // Writing: 7 bytes fit before the end (an odd count, so the byte loop
    // runs after the word loop faulted).
    uint8_t source[19] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    KEXPECT_EQ(arch::copy_to_user(kUnmappedNext - 7, source, sizeof source), 12u);
    KEXPECT_EQ(page.bytes()[kPage - 7], 1);
    KEXPECT_EQ(page.bytes()[kPage - 1], 7);
    // The words all fit and the fault comes in the tail bytes (21 = two
    // words and 5 bytes, 19 of them readable): 2 not copied.
    uint8_t tail[21] = {};
    KEXPECT_EQ(arch::copy_from_user(tail, kUnmappedNext - 19, sizeof tail), 2u);
    KEXPECT_EQ(tail[18], page.bytes()[kPage - 1]);
    KEXPECT_EQ(arch::clear_user(kUnmappedNext - 3, 10), 7u);
    KEXPECT_EQ(page.bytes()[kPage - 1], 0);
    // A string running into the unmapped page without a NUL: a fault.
    for (int i = 0; i < 16; ++i) page.bytes()[kPage - 16 + i] = 'x';
    char name[64];
    KEXPECT_EQ(arch::strncpy_from_user(name, kUnmappedNext - 16, sizeof name), -1);
    KEXPECT_EQ(arch::strncpy_from_user(name, kUnmappedNext - 16, 16), 16);
}

namespace {
void read_user_page_directly(void*) {
    volatile uint8_t* p = reinterpret_cast<volatile uint8_t*>(kUserPage);
    (void)*p;
}
void call_user_page(void*) {
    reinterpret_cast<void (*)()>(kUserPage)();
}
}  // namespace

KTEST(uaccess, smap_and_smep_stop_plain_kernel_accesses_to_user_pages) {
    UserPage page;
    KASSERT(page.ok());
    if (arch::smap_active()) {
        arch::FaultRecord fault = arch::expect_fault(arch::vector::kPageFault, read_user_page_directly, nullptr);
        KEXPECT(fault.faulted);
        KEXPECT_EQ(fault.cr2, kUserPage);
        KEXPECT_EQ(fault.error_code & 1, 1u);  // present: a protection fault, not a missing page
    }
    if (arch::smep_active()) {
        page.bytes()[0] = 0xc3;  // ret
        arch::FaultRecord fault = arch::expect_fault(arch::vector::kPageFault, call_user_page, nullptr);
        KEXPECT(fault.faulted);
        KEXPECT_EQ(fault.cr2, kUserPage);
        KEXPECT_EQ(fault.error_code & (1u << 4), 1u << 4);  // an instruction fetch
    }
    // QEMU's -cpu max has all three.
    KEXPECT(arch::smap_active());
    KEXPECT(arch::smep_active());
    KEXPECT(arch::umip_active());
}
