// Signal numbers as sets, and what each signal does by default (signal(7),
// "Standard signals" and "Real-time signals"). The kernel's sigset is one
// 64-bit word: signal n is bit n - 1 (uapi::Sigset). Pure and constexpr,
// shared by the signal state (signal_state.hpp), the frame builder and the
// system calls.
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"

namespace proc {

using SignalSet = uapi::Sigset;

constexpr bool signal_valid(int signal) {
    return signal >= 1 && signal <= uapi::kNSIG;
}
constexpr SignalSet signal_bit(int signal) {
    return SignalSet(1) << (signal - 1);
}
constexpr bool signal_in(SignalSet set, int signal) {
    return (set & signal_bit(signal)) != 0;
}
// Real-time signals (32..64) queue one entry per signal sent; a standard
// signal is pending at most once.
constexpr bool signal_realtime(int signal) {
    return signal >= uapi::kSIGRTMIN;
}
// The lowest-numbered signal in a non-empty set.
constexpr int lowest_signal(SignalSet set) {
    return __builtin_ctzll(set) + 1;
}

// Never blocked, caught or ignored (sigprocmask(2), sigaction(2)).
inline constexpr SignalSet kUnblockableSignals = signal_bit(uapi::kSIGKILL) | signal_bit(uapi::kSIGSTOP);
inline constexpr SignalSet kStopSignals =
    signal_bit(uapi::kSIGSTOP) | signal_bit(uapi::kSIGTSTP) | signal_bit(uapi::kSIGTTIN) | signal_bit(uapi::kSIGTTOU);
// The stop signals a terminal sends: discarded, not acted on, by a process
// in an orphaned process group (POSIX.1 "Orphaned Process Group").
inline constexpr SignalSet kTtyStopSignals = kStopSignals & ~signal_bit(uapi::kSIGSTOP);
// Signals a fault raises: dequeued before any other, so a handler sees the
// fault of the instruction that raised it (Linux's SYNCHRONOUS_MASK).
inline constexpr SignalSet kSynchronousSignals = signal_bit(uapi::kSIGSEGV) | signal_bit(uapi::kSIGBUS) |
                                                 signal_bit(uapi::kSIGILL) | signal_bit(uapi::kSIGTRAP) |
                                                 signal_bit(uapi::kSIGFPE) | signal_bit(uapi::kSIGSYS);

// signal(7)'s "Action" column; every real-time signal terminates.
enum class DefaultAction : uint8_t { kTerminate, kCore, kIgnore, kStop, kContinue };

constexpr DefaultAction default_action(int signal) {
    switch (signal) {
        case uapi::kSIGQUIT:
        case uapi::kSIGILL:
        case uapi::kSIGTRAP:
        case uapi::kSIGABRT:
        case uapi::kSIGBUS:
        case uapi::kSIGFPE:
        case uapi::kSIGSEGV:
        case uapi::kSIGXCPU:
        case uapi::kSIGXFSZ:
        case uapi::kSIGSYS: return DefaultAction::kCore;
        case uapi::kSIGCHLD:
        case uapi::kSIGURG:
        case uapi::kSIGWINCH: return DefaultAction::kIgnore;
        case uapi::kSIGCONT: return DefaultAction::kContinue;
        case uapi::kSIGSTOP:
        case uapi::kSIGTSTP:
        case uapi::kSIGTTIN:
        case uapi::kSIGTTOU: return DefaultAction::kStop;
        default: return DefaultAction::kTerminate;
    }
}

}  // namespace proc
