// A CPU's inbox of function calls other CPUs ask it to run (call-function
// and TLB-shootdown IPIs, kernel/smp/smp.hpp): any number of senders push
// without a lock, the owning CPU takes everything at once and runs it in the
// order it was sent. Pure (atomics only), host-tested with threads.
//
// A request is the sender's memory: it stays busy from push until the
// target has run it; then the target decrements the sender's `remaining`
// counter (if the sender waits) and clears `busy`, after which the sender
// may reuse or free it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace smp {

struct CallRequest {
    void (*function)(void* argument) = nullptr;
    void* argument = nullptr;
    uint32_t* remaining = nullptr;  // decremented once this ran; nullptr: nobody waits
    uint32_t busy = 0;              // 1 from push until it ran
    CallRequest* next = nullptr;    // the queue's link
};

class CallQueue {
public:
    constexpr CallQueue() = default;
    CallQueue(const CallQueue&) = delete;
    CallQueue& operator=(const CallQueue&) = delete;

    // Any CPU, any context. The request must not be busy.
    void push(CallRequest& request) {
        __atomic_store_n(&request.busy, 1, __ATOMIC_RELAXED);
        CallRequest* head = __atomic_load_n(&head_, __ATOMIC_RELAXED);
        do {
            request.next = head;
        } while (!__atomic_compare_exchange_n(&head_, &head, &request, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    }

    bool empty() const { return __atomic_load_n(&head_, __ATOMIC_RELAXED) == nullptr; }

    // The owner: runs every request queued so far, oldest first; returns how
    // many ran. Requests pushed meanwhile wait for the next call.
    size_t run_all() {
        CallRequest* taken = __atomic_exchange_n(&head_, nullptr, __ATOMIC_ACQUIRE);
        // The stack comes newest first: reverse it.
        CallRequest* oldest = nullptr;
        while (taken) {
            CallRequest* next = taken->next;
            taken->next = oldest;
            oldest = taken;
            taken = next;
        }
        size_t ran = 0;
        while (oldest) {
            CallRequest* request = oldest;
            oldest = request->next;  // read before the request is handed back
            request->function(request->argument);
            uint32_t* remaining = request->remaining;
            __atomic_store_n(&request->busy, 0, __ATOMIC_RELEASE);  // the sender may reuse it from here
            if (remaining) __atomic_fetch_sub(remaining, 1, __ATOMIC_RELEASE);
            ++ran;
        }
        return ran;
    }

private:
    CallRequest* head_ = nullptr;
};

}  // namespace smp
