// Host tests of exception_info.hpp and the pure stack-overflow test of
// kernel_stacks.hpp.
#include "kernel/arch/x86_64/exception_info.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kernel/arch/x86_64/kernel_stacks.hpp"

namespace arch {
namespace {

std::string page_fault_text(uint64_t code) {
    char text[96];
    describe_page_fault_error(code, text, sizeof text);
    return text;
}

std::string selector_text(uint64_t code) {
    char text[96];
    describe_selector_error(code, text, sizeof text);
    return text;
}

TEST(ExceptionInfo, NamesAndErrorCodesFollowTable6_1) {
    EXPECT_STREQ(exception_info(vector::kPageFault).mnemonic, "#PF");
    EXPECT_STREQ(exception_info(vector::kPageFault).name, "page fault");
    EXPECT_STREQ(exception_info(vector::kDoubleFault).name, "double fault");
    EXPECT_STREQ(exception_info(vector::kGeneralProtection).mnemonic, "#GP");
    const uint8_t with_error_code[] = {8, 10, 11, 12, 13, 14, 17, 21, 29, 30};
    for (unsigned v = 0; v < 32; ++v) {
        bool expected = false;
        for (uint8_t e : with_error_code) expected = expected || e == v;
        EXPECT_EQ(exception_info(uint8_t(v)).has_error_code, expected) << "vector " << v;
        EXPECT_NE(std::string(exception_info(uint8_t(v)).name), "") << "vector " << v;
    }
    EXPECT_STREQ(exception_info(15).name, "reserved exception");
    EXPECT_STREQ(exception_info(31).name, "reserved exception");
    EXPECT_STREQ(exception_info(32).name, "external interrupt");
    EXPECT_STREQ(exception_info(255).name, "external interrupt");
}

TEST(ExceptionInfo, SelectorErrorCodeVectors) {
    for (unsigned v = 0; v < 256; ++v)
        EXPECT_EQ(has_selector_error_code(uint8_t(v)), v == 10 || v == 11 || v == 12 || v == 13) << v;
}

TEST(PageFaultError, DecodesEveryBit) {
    PageFaultError none = decode_page_fault_error(0);
    EXPECT_FALSE(none.present || none.write || none.user || none.reserved_bit || none.instruction_fetch ||
                 none.protection_key || none.shadow_stack);
    PageFaultError all = decode_page_fault_error(0x7f);
    EXPECT_TRUE(all.present && all.write && all.user && all.reserved_bit && all.instruction_fetch &&
                all.protection_key && all.shadow_stack);
    EXPECT_TRUE(decode_page_fault_error(page_fault_bits::kInstructionFetch).instruction_fetch);
    EXPECT_TRUE(decode_page_fault_error(page_fault_bits::kProtectionKey).protection_key);
    EXPECT_FALSE(decode_page_fault_error(page_fault_bits::kProtectionKey).write);
}

TEST(PageFaultError, Text) {
    EXPECT_EQ(page_fault_text(0x0), "not-present read supervisor");
    EXPECT_EQ(page_fault_text(0x2), "not-present write supervisor");
    EXPECT_EQ(page_fault_text(0x3), "protection-violation write supervisor");
    EXPECT_EQ(page_fault_text(0x11), "protection-violation instruction-fetch supervisor");
    EXPECT_EQ(page_fault_text(0x7), "protection-violation write user");
    EXPECT_EQ(page_fault_text(0x9), "protection-violation read supervisor reserved-bit");
    EXPECT_EQ(page_fault_text(0x25), "protection-violation read user protection-key");
    EXPECT_EQ(page_fault_text(0x43), "protection-violation write supervisor shadow-stack");
    EXPECT_EQ(page_fault_text(0x8001), "protection-violation read supervisor sgx");
}

TEST(PageFaultError, TextIsTruncatedSafely) {
    char tiny[8];
    size_t length = describe_page_fault_error(0x7f, tiny, sizeof tiny);
    EXPECT_EQ(length, 7u);
    EXPECT_STREQ(tiny, "protect");
    EXPECT_EQ(describe_page_fault_error(0x7f, nullptr, 0), 0u);
}

TEST(SelectorError, DecodesTableIndexAndExternal) {
    SelectorError gdt = decode_selector_error(0x1238);
    EXPECT_FALSE(gdt.external);
    EXPECT_EQ(gdt.table, DescriptorTable::kGdt);
    EXPECT_EQ(gdt.index, 0x247);
    SelectorError ldt = decode_selector_error(0x0c | 1);
    EXPECT_TRUE(ldt.external);
    EXPECT_EQ(ldt.table, DescriptorTable::kLdt);
    EXPECT_EQ(ldt.index, 1);
    // IDT bit set: TI is ignored and the index is a vector (SDM Figure 6-7).
    SelectorError idt = decode_selector_error((13 << 3) | 2 | 4);
    EXPECT_EQ(idt.table, DescriptorTable::kIdt);
    EXPECT_EQ(idt.index, 13);
    EXPECT_EQ(decode_selector_error(0xffff).index, 0x1fff);
}

TEST(SelectorError, Text) {
    EXPECT_EQ(selector_text(0), "no selector");
    EXPECT_EQ(selector_text(0x1238), "GDT index 583 (selector 0x1238)");
    EXPECT_EQ(selector_text(0x0c), "LDT index 1 (selector 0xc)");
    EXPECT_EQ(selector_text(0x6b), "IDT vector 13, external");
    EXPECT_EQ(selector_text(0x29), "GDT index 5 (selector 0x28), external");
}

TEST(StackOverflow, GuardPageOrRspAtTheBottom) {
    KnownStack stack{0x10000, 0x14000, "test"};
    EXPECT_TRUE(is_overflow_of(stack, 0x13000, 0x0fff8));                          // CR2 in the guard page
    EXPECT_TRUE(is_overflow_of(stack, 0x0fff8, 0));                                // RSP already below the bottom
    EXPECT_TRUE(is_overflow_of(stack, 0x10010, 0));                                // RSP a push or two from the edge
    EXPECT_FALSE(is_overflow_of(stack, 0x12000, 0));                               // well inside
    EXPECT_FALSE(is_overflow_of(stack, 0x12000, 0x0f000 - 8));                     // CR2 below the guard page
    EXPECT_FALSE(is_overflow_of(stack, 0x12000, 0x10000));                         // CR2 inside the stack
    EXPECT_FALSE(is_overflow_of(KnownStack{}, 0, 0));                              // an empty slot
    EXPECT_FALSE(is_overflow_of(KnownStack{0x800, 0x1000, "low"}, 0x700, 0x700));  // no room for a guard
}

TEST(StackOverflow, EvidenceSaysWhich) {
    KnownStack stack{0x10000, 0x14000, "test"};
    EXPECT_EQ(overflow_evidence(stack, 0x0fff8, 0x0fff0), OverflowEvidence::kCr2InGuardPage);
    EXPECT_EQ(overflow_evidence(stack, 0x0fff8, 0), OverflowEvidence::kRspAtBottom);
    EXPECT_EQ(overflow_evidence(stack, 0x13000, 0), OverflowEvidence::kNone);
}

}  // namespace
}  // namespace arch
