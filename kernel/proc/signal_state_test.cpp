// The signal state machine against what signal(7), sigaction(2),
// sigprocmask(2), sigaltstack(2) and wait(2) promise.
#include "kernel/proc/signal_state.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <vector>

#include "kernel/abi/linux_proc.hpp"

namespace proc {

// Host side of the queue-entry allocator, counting live entries so every
// test can check that nothing leaks.
int g_live_entries = 0;
bool g_out_of_memory = false;

QueuedSignal* allocate_queued_signal() {
    if (g_out_of_memory) return nullptr;
    ++g_live_entries;
    return new QueuedSignal;
}

void free_queued_signal(QueuedSignal* entry) {
    --g_live_entries;
    delete entry;
}

namespace {

using uapi::KernelSigaction;

constexpr uint64_t kHandler = 0x401000;
constexpr uint64_t kRestorer = 0x402000;

KernelSigaction catching(uint64_t flags = 0, SignalSet mask = 0) {
    return KernelSigaction{kHandler, flags | uapi::kSA_RESTORER, kRestorer, mask};
}

// A process of `count` threads, leader first.
struct Group : ThreadGroupView {
    explicit Group(size_t count) : threads(count) {}
    ThreadSignals* first() override { return threads.empty() ? nullptr : &threads[0]; }
    ThreadSignals* next(ThreadSignals* after) override {
        size_t index = size_t(after - threads.data()) + 1;
        return index < threads.size() ? &threads[index] : nullptr;
    }
    ~Group() {
        for (ThreadSignals& thread : threads) thread.pending.discard(~SignalSet(0));
        group.shared.discard(~SignalSet(0));
        EXPECT_EQ(g_live_entries, 0) << "queue entries leaked";
    }

    SendResult send(int signal, ThreadSignals* thread = nullptr, int code = uapi::kSI_USER) {
        return send_signal_locked(group, handlers, *this, thread, siginfo_sent(signal, code, 42, 1000),
                                  allocate_queued_signal());
    }
    Delivery take(size_t index = 0, bool orphaned = false) {
        return next_delivery_locked(group, handlers, threads[index], orphaned);
    }
    void set(int signal, KernelSigaction action) { ASSERT_TRUE(handlers.change(signal, &action, nullptr)); }

    GroupSignals group;
    SignalHandlers handlers;
    std::vector<ThreadSignals> threads;
};

TEST(SignalSet, BitsAndDefaults) {
    EXPECT_EQ(signal_bit(1), 1u);
    EXPECT_EQ(signal_bit(64), 1ULL << 63);
    EXPECT_FALSE(signal_valid(0));
    EXPECT_FALSE(signal_valid(65));
    EXPECT_TRUE(signal_realtime(uapi::kSIGRTMIN));
    EXPECT_FALSE(signal_realtime(uapi::kSIGSYS));
    // signal(7)'s table.
    EXPECT_EQ(default_action(uapi::kSIGSEGV), DefaultAction::kCore);
    EXPECT_EQ(default_action(uapi::kSIGTERM), DefaultAction::kTerminate);
    EXPECT_EQ(default_action(uapi::kSIGCHLD), DefaultAction::kIgnore);
    EXPECT_EQ(default_action(uapi::kSIGCONT), DefaultAction::kContinue);
    EXPECT_EQ(default_action(uapi::kSIGTTOU), DefaultAction::kStop);
    EXPECT_EQ(default_action(uapi::kSIGRTMIN + 5), DefaultAction::kTerminate);
    EXPECT_EQ(default_action(uapi::kSIGPIPE), DefaultAction::kTerminate);
}

TEST(Sigaction, RefusesWhatLinuxRefuses) {
    SignalHandlers handlers;
    KernelSigaction act = catching();
    EXPECT_EQ(handlers.change(uapi::kSIGKILL, &act, nullptr).error().code, lib::Errno::kEINVAL);
    EXPECT_EQ(handlers.change(uapi::kSIGSTOP, &act, nullptr).error().code, lib::Errno::kEINVAL);
    EXPECT_EQ(handlers.change(0, nullptr, nullptr).error().code, lib::Errno::kEINVAL);
    EXPECT_EQ(handlers.change(65, nullptr, nullptr).error().code, lib::Errno::kEINVAL);
    // Reading SIGKILL's action is fine: SIG_DFL.
    KernelSigaction old{1, 2, 3, 4};
    ASSERT_TRUE(handlers.change(uapi::kSIGKILL, nullptr, &old));
    EXPECT_EQ(old.handler, uapi::kSIG_DFL);
}

TEST(Sigaction, DropsUnknownFlagsAndUnblockableMaskBits) {
    SignalHandlers handlers;
    KernelSigaction act = catching(uapi::kSA_SIGINFO | uapi::kSA_UNSUPPORTED | 0x00100000,
                                   signal_bit(uapi::kSIGKILL) | signal_bit(uapi::kSIGSTOP) | signal_bit(uapi::kSIGINT));
    ASSERT_TRUE(handlers.change(uapi::kSIGUSR1, &act, nullptr));
    KernelSigaction now;
    ASSERT_TRUE(handlers.change(uapi::kSIGUSR1, nullptr, &now));
    EXPECT_EQ(now.flags, uapi::kSA_SIGINFO | uapi::kSA_RESTORER);
    EXPECT_EQ(now.mask, signal_bit(uapi::kSIGINT));
    EXPECT_EQ(now.handler, kHandler);
    EXPECT_EQ(now.restorer, kRestorer);
}

TEST(Sigaction, IgnoringDiscardsPendingAndExecKeepsIgnored) {
    SignalHandlers handlers;
    KernelSigaction ignore{uapi::kSIG_IGN, 0, 0, 0};
    EXPECT_TRUE(handlers.change(uapi::kSIGUSR1, &ignore, nullptr).value());
    KernelSigaction dfl{uapi::kSIG_DFL, 0, 0, 0};
    EXPECT_TRUE(handlers.change(uapi::kSIGCHLD, &dfl, nullptr).value()) << "SIGCHLD's default is to ignore";
    EXPECT_FALSE(handlers.change(uapi::kSIGTERM, &dfl, nullptr).value());
    KernelSigaction caught = catching(uapi::kSA_RESTART, signal_bit(uapi::kSIGINT));
    ASSERT_TRUE(handlers.change(uapi::kSIGTERM, &caught, nullptr));
    handlers.reset_for_exec();
    EXPECT_EQ(handlers.action(uapi::kSIGUSR1).handler, uapi::kSIG_IGN);
    EXPECT_EQ(handlers.action(uapi::kSIGTERM).handler, uapi::kSIG_DFL);
    EXPECT_EQ(handlers.action(uapi::kSIGTERM).flags, 0u);
    EXPECT_EQ(handlers.action(uapi::kSIGTERM).mask, 0u);
}

TEST(Sigprocmask, HowAndUnblockable) {
    SignalSet usr1 = signal_bit(uapi::kSIGUSR1), usr2 = signal_bit(uapi::kSIGUSR2);
    EXPECT_EQ(change_blocked(usr1, uapi::kSIG_BLOCK, usr2).value(), usr1 | usr2);
    EXPECT_EQ(change_blocked(usr1 | usr2, uapi::kSIG_UNBLOCK, usr1).value(), usr2);
    EXPECT_EQ(change_blocked(usr1, uapi::kSIG_SETMASK, usr2).value(), usr2);
    EXPECT_EQ(change_blocked(0, uapi::kSIG_SETMASK, ~SignalSet(0)).value(), ~kUnblockableSignals);
    EXPECT_EQ(change_blocked(0, 3, usr1).error().code, lib::Errno::kEINVAL);
}

TEST(Pending, StandardSignalsMergeRealTimeSignalsQueueInOrder) {
    Group g(1);
    g.set(uapi::kSIGUSR1, catching());
    g.set(uapi::kSIGRTMIN + 2, catching(uapi::kSA_SIGINFO));
    g.threads[0].blocked = signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGRTMIN + 2);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kPending);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kDiscarded) << "a second standard signal merges";
    for (int value = 1; value <= 3; ++value) {
        uapi::Siginfo info = siginfo_sent(uapi::kSIGRTMIN + 2, uapi::kSI_QUEUE, 7, 0);
        info.sender.value = uint64_t(value);
        EXPECT_EQ(send_signal_locked(g.group, g.handlers, g, nullptr, info, allocate_queued_signal()).kind,
                  SendResult::Kind::kPending);
    }
    EXPECT_EQ(pending_blocked(g.group, g.threads[0]), g.threads[0].blocked);
    EXPECT_EQ(g.take().kind, Delivery::Kind::kNone) << "all blocked";
    g.threads[0].blocked = 0;
    Delivery first = g.take();
    EXPECT_EQ(first.signal, uapi::kSIGUSR1) << "lowest number first";
    for (uint64_t value = 1; value <= 3; ++value) {
        Delivery d = g.take();
        ASSERT_EQ(d.kind, Delivery::Kind::kHandler);
        EXPECT_EQ(d.signal, uapi::kSIGRTMIN + 2);
        EXPECT_EQ(d.info.code, uapi::kSI_QUEUE);
        EXPECT_EQ(d.info.sender.value, value) << "real-time signals in the order sent";
    }
    EXPECT_EQ(g.take().kind, Delivery::Kind::kNone);
}

// A thread's exec taking the leader's place (de_thread): the leader's
// private signals vanish, the thread's come along with their siginfo.
TEST(Pending, ReplaceWithTakesTheOtherThreadsSignalsAndDropsOwn) {
    Group g(2);
    g.set(uapi::kSIGUSR1, catching());
    g.set(uapi::kSIGUSR2, catching());
    g.set(uapi::kSIGRTMIN + 1, catching(uapi::kSA_SIGINFO));
    for (ThreadSignals& t : g.threads)
        t.blocked = signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGUSR2) | signal_bit(uapi::kSIGRTMIN + 1);
    g.send(uapi::kSIGUSR1, &g.threads[0]);
    g.send(uapi::kSIGUSR2, &g.threads[1]);
    for (int value = 1; value <= 2; ++value) {
        uapi::Siginfo info = siginfo_sent(uapi::kSIGRTMIN + 1, uapi::kSI_QUEUE, 7, 0);
        info.sender.value = uint64_t(value);
        send_signal_locked(g.group, g.handlers, g, &g.threads[1], info, allocate_queued_signal());
    }
    g.threads[0].pending.replace_with(g.threads[1].pending);
    EXPECT_EQ(g.threads[1].pending.set(), 0u);
    EXPECT_EQ(g.threads[1].pending.queued(), 0u);
    EXPECT_EQ(g.threads[0].pending.set(), signal_bit(uapi::kSIGUSR2) | signal_bit(uapi::kSIGRTMIN + 1))
        << "the leader's SIGUSR1 is gone";
    EXPECT_EQ(g_live_entries, 3) << "the leader's entry freed, the thread's three kept";
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.take(0).signal, uapi::kSIGUSR2);
    for (uint64_t value = 1; value <= 2; ++value) {
        Delivery d = g.take(0);
        EXPECT_EQ(d.signal, uapi::kSIGRTMIN + 1);
        EXPECT_EQ(d.info.sender.value, value);
    }
    EXPECT_EQ(g.take(0).kind, Delivery::Kind::kNone);
}

TEST(Pending, FaultSignalsComeFirstAndLostInfoIsSiUser) {
    Group g(1);
    g.set(uapi::kSIGHUP, catching());
    g.set(uapi::kSIGSEGV, catching(uapi::kSA_SIGINFO));
    g.threads[0].blocked = ~kUnblockableSignals;
    g.send(uapi::kSIGHUP);
    send_signal_locked(g.group, g.handlers, g, &g.threads[0], siginfo_fault(uapi::kSIGSEGV, uapi::kSEGV_MAPERR, 0x10),
                       allocate_queued_signal());
    g.threads[0].blocked = 0;
    Delivery d = g.take();
    EXPECT_EQ(d.signal, uapi::kSIGSEGV);
    EXPECT_EQ(d.info.fault.addr, 0x10u);
    EXPECT_EQ(d.info.code, uapi::kSEGV_MAPERR);
    EXPECT_EQ(g.take().signal, uapi::kSIGHUP);

    g_out_of_memory = true;
    g.threads[0].blocked = signal_bit(uapi::kSIGHUP);
    EXPECT_EQ(g.send(uapi::kSIGHUP).kind, SendResult::Kind::kPending) << "pending even without memory";
    g_out_of_memory = false;
    g.threads[0].blocked = 0;
    d = g.take();
    EXPECT_EQ(d.signal, uapi::kSIGHUP);
    EXPECT_EQ(d.info.code, uapi::kSI_USER);
    EXPECT_EQ(d.info.sender.pid, 0);
}

TEST(Send, IgnoredSignalsAreDiscardedUnlessBlocked) {
    Group g(1);
    EXPECT_EQ(g.send(uapi::kSIGCHLD).kind, SendResult::Kind::kDiscarded) << "SIG_DFL, default ignore";
    g.set(uapi::kSIGUSR1, KernelSigaction{uapi::kSIG_IGN, 0, 0, 0});
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kDiscarded);
    g.threads[0].blocked = signal_bit(uapi::kSIGUSR1);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kPending) << "blocked: its action may still change";
    EXPECT_EQ(pending_blocked(g.group, g.threads[0]), signal_bit(uapi::kSIGUSR1));
    // Unblocked while still ignored: consumed on the way out, nothing delivered.
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.take().kind, Delivery::Kind::kNone);
    EXPECT_EQ(g.group.shared.set(), 0u);
}

TEST(Send, FatalSignalsEndTheGroupAtOnce) {
    Group g(3);
    SendResult r = g.send(uapi::kSIGTERM);
    EXPECT_EQ(r.kind, SendResult::Kind::kKillGroup);
    EXPECT_TRUE(g.group.exiting);
    EXPECT_EQ(g.group.exit_signal, uapi::kSIGTERM);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kDiscarded) << "an ending group takes nothing";
}

TEST(Send, BlockedFatalSignalWaitsAndSigkillDoesNot) {
    Group g(1);
    g.threads[0].blocked = signal_bit(uapi::kSIGTERM);
    EXPECT_EQ(g.send(uapi::kSIGTERM).kind, SendResult::Kind::kPending);
    EXPECT_FALSE(g.group.exiting);
    EXPECT_EQ(g.send(uapi::kSIGKILL).kind, SendResult::Kind::kKillGroup);
    EXPECT_EQ(g.group.exit_signal, uapi::kSIGKILL);
    EXPECT_EQ(g.group.shared.set(), 0u) << "the group's pending signals are dropped";
}

TEST(Send, InitIgnoresDefaultActionsButNotItsHandlersOrFaults) {
    Group g(1);
    g.group.unkillable = true;
    EXPECT_EQ(g.send(uapi::kSIGKILL).kind, SendResult::Kind::kDiscarded);
    EXPECT_EQ(g.send(uapi::kSIGTERM).kind, SendResult::Kind::kDiscarded);
    EXPECT_EQ(g.send(uapi::kSIGSTOP).kind, SendResult::Kind::kDiscarded);
    g.set(uapi::kSIGTERM, catching());
    EXPECT_EQ(g.send(uapi::kSIGTERM).kind, SendResult::Kind::kPending);
    EXPECT_EQ(g.take().signal, uapi::kSIGTERM);
    // A fault in init: the default action applies after all.
    g.set(uapi::kSIGSEGV, KernelSigaction{uapi::kSIG_IGN, 0, 0, 0});
    SendResult r = send_signal_locked(g.group, g.handlers, g, &g.threads[0],
                                      siginfo_fault(uapi::kSIGSEGV, uapi::kSEGV_MAPERR, 0), nullptr, true);
    EXPECT_EQ(r.kind, SendResult::Kind::kPending);
    EXPECT_FALSE(g.group.unkillable);
    Delivery d = g.take();
    EXPECT_EQ(d.kind, Delivery::Kind::kTerminate);
    EXPECT_EQ(d.signal, uapi::kSIGSEGV);
}

TEST(Send, InitKeepsBlockedSignalsForAHandlerOrSigtimedwait) {
    // Linux's sig_ignored: a blocked signal is never ignored, not even by
    // init; taken with the default action still, init drops it.
    Group g(1);
    g.group.unkillable = true;
    g.threads[0].blocked = signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGUSR2);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kPending);
    EXPECT_EQ(g.send(uapi::kSIGUSR2).kind, SendResult::Kind::kPending);
    uapi::Siginfo info;
    EXPECT_EQ(take_waited_signal(g.group, g.threads[0], signal_bit(uapi::kSIGUSR1), info), uapi::kSIGUSR1);
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.take().kind, Delivery::Kind::kNone) << "SIGUSR2 with SIG_DFL: dropped by init";
    EXPECT_EQ(pending_blocked(g.group, g.threads[0]), 0u);
}

TEST(Send, InitWaitingInSigtimedwaitKeepsTheWaitedSignals) {
    // busybox init blocks SIGUSR2 and SIGCHLD and waits for them with
    // rt_sigtimedwait, which unblocks them for the wait: sent then, they
    // must not be dropped as init's default actions (Linux: real_blocked).
    Group g(1);
    g.group.unkillable = true;
    g.threads[0].real_blocked = signal_bit(uapi::kSIGUSR2) | signal_bit(uapi::kSIGCHLD);
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.send(uapi::kSIGUSR2).kind, SendResult::Kind::kPending) << "kept, and not fatal to the group";
    EXPECT_FALSE(g.group.exiting);
    EXPECT_EQ(g.send(uapi::kSIGCHLD).kind, SendResult::Kind::kPending);
    EXPECT_EQ(g.send(uapi::kSIGUSR1).kind, SendResult::Kind::kDiscarded) << "not among the waited signals";
    uapi::Siginfo info;
    EXPECT_EQ(take_waited_signal(g.group, g.threads[0], signal_bit(uapi::kSIGUSR2), info), uapi::kSIGUSR2);
    EXPECT_EQ(take_waited_signal(g.group, g.threads[0], signal_bit(uapi::kSIGCHLD), info), uapi::kSIGCHLD);
}

TEST(Send, ASignalWaitedForInSigtimedwaitDoesNotKillTheGroup) {
    // Linux's complete_signal: not fatal at once when in real_blocked.
    Group g(1);
    g.threads[0].real_blocked = signal_bit(uapi::kSIGTERM);
    EXPECT_EQ(g.send(uapi::kSIGTERM).kind, SendResult::Kind::kPending);
    EXPECT_FALSE(g.group.exiting);
    uapi::Siginfo info;
    EXPECT_EQ(take_waited_signal(g.group, g.threads[0], signal_bit(uapi::kSIGTERM), info), uapi::kSIGTERM);
}

TEST(Send, ForcedFaultSignalsGetThroughMasksAndIgnore) {
    Group g(1);
    g.set(uapi::kSIGFPE, catching(uapi::kSA_SIGINFO));
    g.threads[0].blocked = signal_bit(uapi::kSIGFPE);
    send_signal_locked(g.group, g.handlers, g, &g.threads[0], siginfo_fault(uapi::kSIGFPE, uapi::kFPE_INTDIV, 0x40),
                       allocate_queued_signal(), true);
    EXPECT_EQ(g.threads[0].blocked, 0u) << "unblocked";
    Delivery d = g.take();
    EXPECT_EQ(d.kind, Delivery::Kind::kTerminate) << "blocked at the fault: the default action";
    EXPECT_TRUE(d.core);
    Group h(1);
    h.set(uapi::kSIGFPE, catching(uapi::kSA_SIGINFO));
    send_signal_locked(h.group, h.handlers, h, &h.threads[0], siginfo_fault(uapi::kSIGFPE, uapi::kFPE_INTDIV, 0x40),
                       allocate_queued_signal(), true);
    d = h.take();
    EXPECT_EQ(d.kind, Delivery::Kind::kHandler) << "caught and not blocked: the handler runs";
    EXPECT_EQ(d.info.fault.addr, 0x40u);
}

TEST(Send, CoreSignalsAreTakenByAThreadThenEndTheGroup) {
    Group g(1);
    SendResult r = g.send(uapi::kSIGQUIT);
    EXPECT_EQ(r.kind, SendResult::Kind::kPending);
    EXPECT_EQ(r.wake, &g.threads[0]);
    Delivery d = g.take();
    EXPECT_EQ(d.kind, Delivery::Kind::kTerminate);
    EXPECT_TRUE(d.core);
    EXPECT_EQ(d.signal, uapi::kSIGQUIT);
    EXPECT_TRUE(g.group.exiting);
}

TEST(Send, ProcessSignalGoesToAThreadThatDoesNotBlockIt) {
    Group g(3);
    g.set(uapi::kSIGUSR1, catching());
    g.threads[0].blocked = signal_bit(uapi::kSIGUSR1);
    g.threads[1].blocked = signal_bit(uapi::kSIGUSR1);
    SendResult r = g.send(uapi::kSIGUSR1);
    EXPECT_EQ(r.kind, SendResult::Kind::kPending);
    EXPECT_EQ(r.wake, &g.threads[2]);
    EXPECT_TRUE(deliverable(g.group, g.threads[2]));
    EXPECT_FALSE(deliverable(g.group, g.threads[0]));
    EXPECT_EQ(g.take(0).kind, Delivery::Kind::kNone);
    EXPECT_EQ(g.take(2).signal, uapi::kSIGUSR1);
    // The leader is preferred when it can take it.
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.send(uapi::kSIGUSR1).wake, &g.threads[0]);
    EXPECT_EQ(g.take(0).signal, uapi::kSIGUSR1);
    // Everybody blocks it: pending, nobody to wake; whoever unblocks takes it.
    for (ThreadSignals& t : g.threads) t.blocked = signal_bit(uapi::kSIGUSR1);
    r = g.send(uapi::kSIGUSR1);
    EXPECT_EQ(r.kind, SendResult::Kind::kPending);
    EXPECT_EQ(r.wake, nullptr);
    g.threads[1].blocked = 0;
    EXPECT_EQ(g.take(1).signal, uapi::kSIGUSR1);
}

TEST(Send, ProcessSignalsTakeTurnsAmongThreadsThatCanTakeThem) {
    Group g(3);
    g.set(uapi::kSIGUSR1, catching());
    g.threads[0].blocked = signal_bit(uapi::kSIGUSR1);
    g.threads[1].blocked = signal_bit(uapi::kSIGTERM);
    ThreadSignals* expected[] = {&g.threads[1], &g.threads[2], &g.threads[1], &g.threads[2]};
    for (ThreadSignals* taker : expected) {
        EXPECT_EQ(g.send(uapi::kSIGUSR1).wake, taker);
        g.group.shared.discard(~SignalSet(0));
    }
}

TEST(Send, ThreadDirectedSignalStaysWithItsThread) {
    Group g(2);
    g.set(uapi::kSIGUSR2, catching());
    SendResult r = g.send(uapi::kSIGUSR2, &g.threads[1], uapi::kSI_TKILL);
    EXPECT_EQ(r.wake, &g.threads[1]);
    EXPECT_EQ(g.take(0).kind, Delivery::Kind::kNone);
    Delivery d = g.take(1);
    EXPECT_EQ(d.signal, uapi::kSIGUSR2);
    EXPECT_EQ(d.info.code, uapi::kSI_TKILL);
}

TEST(StopContinue, StopThenContinueAsSignal7Says) {
    Group g(1);
    g.set(uapi::kSIGCONT, catching());
    EXPECT_EQ(g.send(uapi::kSIGSTOP).kind, SendResult::Kind::kPending);
    Delivery d = g.take();
    EXPECT_EQ(d.kind, Delivery::Kind::kStop);
    EXPECT_EQ(d.signal, uapi::kSIGSTOP);
    EXPECT_TRUE(g.group.stopped);
    EXPECT_EQ(g.group.stop_signal, uapi::kSIGSTOP);
    // SIGCONT continues even while blocked, and its handler still runs later.
    g.threads[0].blocked = signal_bit(uapi::kSIGCONT);
    SendResult r = g.send(uapi::kSIGCONT);
    EXPECT_TRUE(r.continued);
    EXPECT_FALSE(g.group.stopped);
    g.threads[0].blocked = 0;
    EXPECT_EQ(g.take().signal, uapi::kSIGCONT);
    EXPECT_FALSE(g.send(uapi::kSIGCONT).continued) << "nothing to continue";
    EXPECT_EQ(g.take().kind, Delivery::Kind::kHandler);
}

TEST(StopContinue, EachDiscardsTheOtherPending) {
    Group g(2);
    g.set(uapi::kSIGCONT, catching());
    g.threads[0].blocked = g.threads[1].blocked = signal_bit(uapi::kSIGTSTP) | signal_bit(uapi::kSIGCONT);
    g.send(uapi::kSIGTSTP);
    g.send(uapi::kSIGTSTP, &g.threads[1]);
    g.send(uapi::kSIGCONT);
    EXPECT_EQ(g.group.shared.set(), signal_bit(uapi::kSIGCONT)) << "SIGCONT discarded the pending SIGTSTP";
    EXPECT_EQ(g.threads[1].pending.set(), 0u);
    g.send(uapi::kSIGTTIN);
    EXPECT_EQ(g.group.shared.set(), signal_bit(uapi::kSIGTTIN)) << "a stop signal discarded the pending SIGCONT";
}

TEST(StopContinue, TerminalStopsAreDiscardedInOrphanedGroups) {
    Group g(1);
    g.send(uapi::kSIGTSTP);
    EXPECT_EQ(g.take(0, /*orphaned=*/true).kind, Delivery::Kind::kNone);
    EXPECT_FALSE(g.group.stopped);
    g.send(uapi::kSIGSTOP);
    EXPECT_EQ(g.take(0, /*orphaned=*/true).kind, Delivery::Kind::kStop) << "SIGSTOP always stops";
}

TEST(Handlers, MaskResethandNodefer) {
    Group g(1);
    g.set(uapi::kSIGUSR1, catching(uapi::kSA_RESETHAND, signal_bit(uapi::kSIGTERM)));
    g.send(uapi::kSIGUSR1);
    Delivery d = g.take();
    ASSERT_EQ(d.kind, Delivery::Kind::kHandler);
    EXPECT_EQ(d.action.handler, kHandler) << "the handler runs once";
    EXPECT_EQ(g.handlers.action(uapi::kSIGUSR1).handler, uapi::kSIG_DFL) << "SA_RESETHAND";
    EXPECT_EQ(mask_to_save(g.threads[0]), 0u);
    handler_started(g.threads[0], d.signal, d.action);
    EXPECT_EQ(g.threads[0].blocked, signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGTERM));

    g.threads[0].blocked = 0;
    g.set(uapi::kSIGUSR2, catching(uapi::kSA_NODEFER));
    g.send(uapi::kSIGUSR2);
    d = g.take();
    handler_started(g.threads[0], d.signal, d.action);
    EXPECT_EQ(g.threads[0].blocked, 0u) << "SA_NODEFER: not blocked in its own handler";
}

TEST(Handlers, SigsuspendMaskIsSavedInTheFrameAndPutBack) {
    Group g(1);
    g.set(uapi::kSIGUSR1, catching());
    ThreadSignals& self = g.threads[0];
    self.blocked = signal_bit(uapi::kSIGUSR1);
    g.send(uapi::kSIGUSR1);
    // rt_sigsuspend(empty set).
    self.saved_blocked = self.blocked;
    self.restore_saved = true;
    self.blocked = 0;
    Delivery d = g.take();
    ASSERT_EQ(d.kind, Delivery::Kind::kHandler);
    EXPECT_EQ(mask_to_save(self), signal_bit(uapi::kSIGUSR1)) << "uc_sigmask is the mask before sigsuspend";
    handler_started(self, d.signal, d.action);
    EXPECT_FALSE(self.restore_saved);
    // Without a handler, the return puts the mask back itself.
    self.saved_blocked = signal_bit(uapi::kSIGINT) | signal_bit(uapi::kSIGKILL);
    self.restore_saved = true;
    restore_saved_mask(self);
    EXPECT_EQ(self.blocked, signal_bit(uapi::kSIGINT));
}

TEST(Sigtimedwait, TakesWantedSignalsPrivateFirst) {
    Group g(1);
    ThreadSignals& self = g.threads[0];
    self.blocked = signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGUSR2);
    g.send(uapi::kSIGUSR2);
    g.send(uapi::kSIGUSR1, &self);
    uapi::Siginfo info;
    EXPECT_EQ(take_waited_signal(g.group, self, signal_bit(uapi::kSIGUSR1) | signal_bit(uapi::kSIGUSR2), info),
              uapi::kSIGUSR1);
    EXPECT_EQ(info.sender.pid, 42);
    EXPECT_EQ(take_waited_signal(g.group, self, signal_bit(uapi::kSIGINT), info), 0);
    EXPECT_EQ(take_waited_signal(g.group, self, signal_bit(uapi::kSIGUSR2), info), uapi::kSIGUSR2);
    EXPECT_EQ(pending_blocked(g.group, self), 0u);
}

TEST(Sigaltstack, RulesOfSigaltstack2) {
    AltStack alt;
    uint64_t base = 0x7000'0000, size = 65536, outside = 0x7fff'0000;
    EXPECT_EQ(alt.report(outside).flags, uapi::kSS_DISABLE);
    uapi::StackT tiny{.sp = base, .flags = 0, .size = 512};
    EXPECT_EQ(alt.change(tiny, outside, uapi::kMINSIGSTKSZ).error().code, lib::Errno::kENOMEM);
    uapi::StackT bad{.sp = base, .flags = 0x1234, .size = size};
    EXPECT_EQ(alt.change(bad, outside, uapi::kMINSIGSTKSZ).error().code, lib::Errno::kEINVAL);
    uapi::StackT good{.sp = base, .flags = 0, .size = size};
    ASSERT_TRUE(alt.change(good, outside, uapi::kMINSIGSTKSZ));
    EXPECT_EQ(alt.report(outside).flags, 0);
    EXPECT_EQ(alt.report(base + 100).flags, uapi::kSS_ONSTACK);
    EXPECT_TRUE(alt.contains(base + size)) << "its top belongs to it";
    EXPECT_FALSE(alt.contains(base));
    EXPECT_EQ(alt.change(good, base + 100, uapi::kMINSIGSTKSZ).error().code, lib::Errno::kEPERM);
    uapi::StackT off{.sp = 0, .flags = uapi::kSS_DISABLE, .size = 0};
    ASSERT_TRUE(alt.change(off, outside, uapi::kMINSIGSTKSZ));
    EXPECT_EQ(alt.report(outside).flags, uapi::kSS_DISABLE);
    EXPECT_EQ(alt.report(outside).size, 0u);
    uapi::StackT autodisarm{.sp = base, .flags = int32_t(uapi::kSS_AUTODISARM), .size = size};
    ASSERT_TRUE(alt.change(autodisarm, outside, uapi::kMINSIGSTKSZ));
    EXPECT_FALSE(alt.contains(base + 100)) << "SS_AUTODISARM: never 'on' it";
    EXPECT_EQ(uint32_t(alt.report(outside).flags), uapi::kSS_AUTODISARM);
}

TEST(ParentNotice, SigchldRules) {
    SignalHandlers parent;
    ParentNotice n = parent_notice(parent, ChildEvent::kExited, uapi::kSIGCHLD);
    EXPECT_EQ(n.signal, uapi::kSIGCHLD);
    EXPECT_FALSE(n.autoreap);
    EXPECT_EQ(parent_notice(parent, ChildEvent::kStopped, uapi::kSIGCHLD).signal, uapi::kSIGCHLD);
    KernelSigaction nocldstop = catching(uapi::kSA_NOCLDSTOP);
    ASSERT_TRUE(parent.change(uapi::kSIGCHLD, &nocldstop, nullptr));
    EXPECT_EQ(parent_notice(parent, ChildEvent::kStopped, uapi::kSIGCHLD).signal, 0);
    EXPECT_EQ(parent_notice(parent, ChildEvent::kContinued, uapi::kSIGCHLD).signal, 0);
    EXPECT_EQ(parent_notice(parent, ChildEvent::kKilled, uapi::kSIGCHLD).signal, uapi::kSIGCHLD);
    KernelSigaction nocldwait = catching(uapi::kSA_NOCLDWAIT);
    ASSERT_TRUE(parent.change(uapi::kSIGCHLD, &nocldwait, nullptr));
    n = parent_notice(parent, ChildEvent::kExited, uapi::kSIGCHLD);
    EXPECT_TRUE(n.autoreap);
    EXPECT_EQ(n.signal, uapi::kSIGCHLD) << "SA_NOCLDWAIT with a handler: still signalled";
    KernelSigaction ignore{uapi::kSIG_IGN, 0, 0, 0};
    ASSERT_TRUE(parent.change(uapi::kSIGCHLD, &ignore, nullptr));
    n = parent_notice(parent, ChildEvent::kExited, uapi::kSIGCHLD);
    EXPECT_TRUE(n.autoreap);
    EXPECT_EQ(n.signal, 0);
    n = parent_notice(parent, ChildEvent::kExited, uapi::kSIGUSR1);
    EXPECT_FALSE(n.autoreap) << "a clone child with another exit signal is never autoreaped";
    EXPECT_EQ(n.signal, uapi::kSIGUSR1);
}

TEST(Siginfo, ChildAndWaitStatusAsTheCLibraryDecodesThem) {
    uapi::Siginfo info = siginfo_child(ChildEvent::kStopped, 77, 1000, uapi::kSIGTSTP, 1, 2);
    EXPECT_EQ(info.signo, uapi::kSIGCHLD);
    EXPECT_EQ(info.code, uapi::kCLD_STOPPED);
    EXPECT_EQ(info.child.pid, 77);
    EXPECT_EQ(info.child.status, uapi::kSIGTSTP);
    int stopped = uapi::wait_status_stopped(uapi::kSIGTSTP);
    EXPECT_TRUE(WIFSTOPPED(stopped));
    EXPECT_EQ(WSTOPSIG(stopped), SIGTSTP);
    EXPECT_TRUE(WIFCONTINUED(uapi::kWaitStatusContinued));
    int dumped = uapi::wait_status_signaled(uapi::kSIGSEGV, true);
    EXPECT_TRUE(WIFSIGNALED(dumped) && WCOREDUMP(dumped) && WTERMSIG(dumped) == SIGSEGV);
    EXPECT_EQ(siginfo_child(ChildEvent::kDumped, 1, 0, 11, 0, 0).code, uapi::kCLD_DUMPED);
}

TEST(Sigqueueinfo, OnlyTheKernelSendsNonNegativeCodesToOthers) {
    EXPECT_FALSE(may_queue_siginfo(siginfo_sent(10, uapi::kSI_KERNEL, 0, 0), false));
    EXPECT_FALSE(may_queue_siginfo(siginfo_sent(10, uapi::kSI_USER, 0, 0), false));
    EXPECT_FALSE(may_queue_siginfo(siginfo_sent(10, uapi::kSI_TKILL, 0, 0), false));
    EXPECT_TRUE(may_queue_siginfo(siginfo_sent(10, uapi::kSI_QUEUE, 0, 0), false));
    EXPECT_TRUE(may_queue_siginfo(siginfo_sent(10, uapi::kSI_KERNEL, 0, 0), true));
}

}  // namespace
}  // namespace proc
