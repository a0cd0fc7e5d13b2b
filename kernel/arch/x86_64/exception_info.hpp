// The 32 architectural exception vectors and their error codes (Intel SDM
// Vol. 3A §6.3.1 Table 6-1 "Protected-Mode Exceptions and Interrupts", §6.13
// "Error Code", §6.15 "Exception and Interrupt Reference", §4.7 "Page-Fault
// Exceptions"). Pure constexpr decoding plus text for the fault reports;
// host-tested in exception_info_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

namespace vector {
inline constexpr uint8_t kDivideError = 0;  // #DE
inline constexpr uint8_t kDebug = 1;        // #DB
inline constexpr uint8_t kNmi = 2;
inline constexpr uint8_t kBreakpoint = 3;            // #BP
inline constexpr uint8_t kOverflow = 4;              // #OF
inline constexpr uint8_t kBoundRange = 5;            // #BR
inline constexpr uint8_t kInvalidOpcode = 6;         // #UD
inline constexpr uint8_t kDeviceNotAvailable = 7;    // #NM
inline constexpr uint8_t kDoubleFault = 8;           // #DF
inline constexpr uint8_t kCoprocessorOverrun = 9;    // reserved since the 486
inline constexpr uint8_t kInvalidTss = 10;           // #TS
inline constexpr uint8_t kSegmentNotPresent = 11;    // #NP
inline constexpr uint8_t kStackFault = 12;           // #SS
inline constexpr uint8_t kGeneralProtection = 13;    // #GP
inline constexpr uint8_t kPageFault = 14;            // #PF
inline constexpr uint8_t kX87Fpu = 16;               // #MF
inline constexpr uint8_t kAlignmentCheck = 17;       // #AC
inline constexpr uint8_t kMachineCheck = 18;         // #MC
inline constexpr uint8_t kSimd = 19;                 // #XM
inline constexpr uint8_t kVirtualization = 20;       // #VE
inline constexpr uint8_t kControlProtection = 21;    // #CP
inline constexpr uint8_t kHypervisorInjection = 28;  // #HV (AMD)
inline constexpr uint8_t kVmmCommunication = 29;     // #VC (AMD)
inline constexpr uint8_t kSecurity = 30;             // #SX (AMD)
inline constexpr uint8_t kFirstExternal = 32;        // first vector not reserved for exceptions
inline constexpr uint8_t kSpurious = 0xff;           // the local APIC's spurious vector, once programmed
}  // namespace vector

struct ExceptionInfo {
    const char* mnemonic;  // "#PF"; "" for vectors without one
    const char* name;      // "page fault"
    bool has_error_code;   // the CPU pushes an error code (SDM Table 6-1)
};

// Vectors 22..27 and 31 are reserved; 15 too. They are named so a report
// still says what arrived.
constexpr ExceptionInfo exception_info(uint8_t v) {
    switch (v) {
        case 0: return {"#DE", "divide error", false};
        case 1: return {"#DB", "debug exception", false};
        case 2: return {"NMI", "non-maskable interrupt", false};
        case 3: return {"#BP", "breakpoint", false};
        case 4: return {"#OF", "overflow", false};
        case 5: return {"#BR", "bound range exceeded", false};
        case 6: return {"#UD", "invalid opcode", false};
        case 7: return {"#NM", "device not available", false};
        case 8: return {"#DF", "double fault", true};
        case 9: return {"", "coprocessor segment overrun", false};
        case 10: return {"#TS", "invalid TSS", true};
        case 11: return {"#NP", "segment not present", true};
        case 12: return {"#SS", "stack-segment fault", true};
        case 13: return {"#GP", "general protection fault", true};
        case 14: return {"#PF", "page fault", true};
        case 16: return {"#MF", "x87 floating-point error", false};
        case 17: return {"#AC", "alignment check", true};
        case 18: return {"#MC", "machine check", false};
        case 19: return {"#XM", "SIMD floating-point exception", false};
        case 20: return {"#VE", "virtualization exception", false};
        case 21: return {"#CP", "control protection exception", true};
        case 28: return {"#HV", "hypervisor injection exception", false};
        case 29: return {"#VC", "VMM communication exception", true};
        case 30: return {"#SX", "security exception", true};
        default: break;
    }
    if (v < vector::kFirstExternal) return {"", "reserved exception", false};
    return {"", "external interrupt", false};
}

// Whether a vector's error code is a selector error code (SDM §6.13, Figure 6-7).
constexpr bool has_selector_error_code(uint8_t v) {
    return v == vector::kInvalidTss || v == vector::kSegmentNotPresent || v == vector::kStackFault ||
           v == vector::kGeneralProtection;
}

// ---------------------------------------------------------------------------
// Page-fault error code (SDM §4.7, Figure 4-12).
namespace page_fault_bits {
inline constexpr uint64_t kPresent = 1ULL << 0;           // P: protection violation (0: page not present)
inline constexpr uint64_t kWrite = 1ULL << 1;             // W/R: a write
inline constexpr uint64_t kUser = 1ULL << 2;              // U/S: from CPL 3
inline constexpr uint64_t kReservedBit = 1ULL << 3;       // RSVD: a reserved bit set in a paging entry
inline constexpr uint64_t kInstructionFetch = 1ULL << 4;  // I/D
inline constexpr uint64_t kProtectionKey = 1ULL << 5;     // PK
inline constexpr uint64_t kShadowStack = 1ULL << 6;       // SS
inline constexpr uint64_t kHlat = 1ULL << 7;              // HLAT paging
inline constexpr uint64_t kSgx = 1ULL << 15;              // SGX access-control violation
}  // namespace page_fault_bits

struct PageFaultError {
    bool present, write, user, reserved_bit, instruction_fetch, protection_key, shadow_stack;
};

constexpr PageFaultError decode_page_fault_error(uint64_t code) {
    using namespace page_fault_bits;
    return PageFaultError{(code & kPresent) != 0,
                          (code & kWrite) != 0,
                          (code & kUser) != 0,
                          (code & kReservedBit) != 0,
                          (code & kInstructionFetch) != 0,
                          (code & kProtectionKey) != 0,
                          (code & kShadowStack) != 0};
}

// ---------------------------------------------------------------------------
// Selector error code (SDM §6.13, Figure 6-7): EXT, IDT, TI, index.
enum class DescriptorTable : uint8_t { kGdt, kLdt, kIdt };

struct SelectorError {
    bool external;          // EXT: raised while delivering an external event
    DescriptorTable table;  // IDT (bit 1) wins over TI (bit 2)
    uint16_t index;         // descriptor index (a vector number when table == kIdt)
};

constexpr SelectorError decode_selector_error(uint64_t code) {
    DescriptorTable table = (code & 2)   ? DescriptorTable::kIdt
                            : (code & 4) ? DescriptorTable::kLdt
                                         : DescriptorTable::kGdt;
    return SelectorError{(code & 1) != 0, table, uint16_t((code >> 3) & 0x1fff)};
}

constexpr const char* descriptor_table_name(DescriptorTable table) {
    return table == DescriptorTable::kGdt ? "GDT" : table == DescriptorTable::kLdt ? "LDT" : "IDT";
}

// ---------------------------------------------------------------------------
// Text for the reports. Writes a NUL-terminated description into `out`
// (truncated to fit) and returns its length:
//   page fault 0x2   -> "not-present write supervisor"
//   page fault 0x11  -> "protection-violation instruction-fetch supervisor"
//   selector 0x1238  -> "GDT index 583 (selector 0x1238)"
//   selector 0x6b    -> "IDT vector 13, external"
//   selector 0       -> "no selector"

namespace exception_info_detail {
struct TextBuilder {
    char* out;
    size_t size;
    size_t length = 0;

    constexpr void put(char c) {
        if (size != 0 && length + 1 < size) out[length++] = c;
        if (size != 0) out[length] = '\0';
    }
    constexpr void append(const char* text) {
        for (; *text; ++text) put(*text);
    }
    constexpr void word(const char* text) {
        if (length != 0) put(' ');
        append(text);
    }
    constexpr void decimal(uint64_t value) {
        char digits[20];
        size_t n = 0;
        do {
            digits[n++] = char('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (n != 0) put(digits[--n]);
    }
    constexpr void hex(uint64_t value) {
        append("0x");
        char digits[16];
        size_t n = 0;
        do {
            digits[n++] = "0123456789abcdef"[value & 0xf];
            value >>= 4;
        } while (value != 0);
        while (n != 0) put(digits[--n]);
    }
};
}  // namespace exception_info_detail

constexpr size_t describe_page_fault_error(uint64_t code, char* out, size_t size) {
    exception_info_detail::TextBuilder text{out, size};
    if (size != 0) out[0] = '\0';
    PageFaultError e = decode_page_fault_error(code);
    text.word(e.present ? "protection-violation" : "not-present");
    text.word(e.instruction_fetch ? "instruction-fetch" : e.write ? "write" : "read");
    text.word(e.user ? "user" : "supervisor");
    if (e.reserved_bit) text.word("reserved-bit");
    if (e.protection_key) text.word("protection-key");
    if (e.shadow_stack) text.word("shadow-stack");
    if (code & page_fault_bits::kSgx) text.word("sgx");
    return text.length;
}

constexpr size_t describe_selector_error(uint64_t code, char* out, size_t size) {
    exception_info_detail::TextBuilder text{out, size};
    if (size != 0) out[0] = '\0';
    if (code == 0) {
        text.append("no selector");
        return text.length;
    }
    SelectorError e = decode_selector_error(code);
    text.append(descriptor_table_name(e.table));
    text.append(e.table == DescriptorTable::kIdt ? " vector " : " index ");
    text.decimal(e.index);
    if (e.table != DescriptorTable::kIdt) {
        text.append(" (selector ");
        text.hex(code & 0xfffc);  // index and TI; the RPL bits carry EXT/IDT
        text.append(")");
    }
    if (e.external) text.append(", external");
    return text.length;
}

}  // namespace arch
