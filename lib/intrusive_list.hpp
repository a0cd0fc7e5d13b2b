// An intrusive doubly-linked list: the element carries its own links, so
// adding and removing never allocates and removal of a known element is
// O(1). Run queues, wait queues and timer lists are built on it.
//
//   struct Waiter : lib::ListNode<> { ... };
//   lib::IntrusiveList<Waiter> waiters;
//   waiters.push_back(w);  waiters.remove(w);  Waiter* first = waiters.front();
//
// An element that sits in several lists at once derives from one ListNode
// per list, told apart by a tag type: `struct Thread : lib::ListNode<RunTag>,
// lib::ListNode<AllTag>` and `lib::IntrusiveList<Thread, RunTag>`. A node is
// in at most one list at a time; linked() says whether it is in one now.
// The list does not own its elements.
#pragma once

#include <stddef.h>

namespace lib {

template <typename Tag = void>
struct ListNode {
    ListNode* prev = nullptr;
    ListNode* next = nullptr;
    bool linked() const { return next != nullptr; }
};

template <typename T, typename Tag = void>
class IntrusiveList {
    using Node = ListNode<Tag>;

public:
    IntrusiveList() { head_.prev = head_.next = &head_; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return head_.next == &head_; }
    size_t size() const { return size_; }

    T* front() const { return empty() ? nullptr : owner(head_.next); }
    T* back() const { return empty() ? nullptr : owner(head_.prev); }
    // The element after (before) `item`, or nullptr at the end.
    T* next(const T& item) const {
        const Node* node = node_of(const_cast<T&>(item)).next;
        return node == &head_ ? nullptr : owner(node);
    }
    T* prev(const T& item) const {
        const Node* node = node_of(const_cast<T&>(item)).prev;
        return node == &head_ ? nullptr : owner(node);
    }

    void push_front(T& item) { link_after(head_, node_of(item)); }
    void push_back(T& item) { link_after(*head_.prev, node_of(item)); }
    // Puts `item` just before `position` (which is in this list).
    void insert_before(T& position, T& item) { link_after(*(node_of(position)).prev, node_of(item)); }

    void remove(T& item) {
        Node& node = node_of(item);
        node.prev->next = node.next;
        node.next->prev = node.prev;
        node.prev = node.next = nullptr;
        --size_;
    }

    // Puts `item` (in no list) where `old` is, and takes `old` out: one
    // step instead of a remove and an insert (the scheduler's pick swaps
    // the running entity for the one it picks this way).
    void replace(T& old, T& item) {
        Node& gone = node_of(old);
        Node& node = node_of(item);
        node.prev = gone.prev;
        node.next = gone.next;
        gone.prev->next = &node;
        gone.next->prev = &node;
        gone.prev = gone.next = nullptr;
    }

    // replace() when `old` is the only element: its neighbours are the
    // list's head, so nothing is read (a run queue with one entity waiting).
    void replace_only(T& old, T& item) {
        Node& node = node_of(item);
        node.prev = node.next = &head_;
        head_.prev = head_.next = &node;
        Node& gone = node_of(old);
        gone.prev = gone.next = nullptr;
    }

    T* pop_front() {
        T* item = front();
        if (item) remove(*item);
        return item;
    }

    // Inserts keeping the list sorted by `less` (stable: after equal keys).
    template <typename Less>
    void insert_sorted(T& item, Less less) {
        for (Node* node = head_.next; node != &head_; node = node->next) {
            if (less(item, *owner(node))) {
                link_after(*node->prev, node_of(item));
                return;
            }
        }
        push_back(item);
    }

    // Range-for over the elements; do not remove the current one while iterating.
    class Iterator {
    public:
        Iterator(const Node* node) : node_(node) {}
        T& operator*() const { return *owner(node_); }
        Iterator& operator++() {
            node_ = node_->next;
            return *this;
        }
        bool operator!=(const Iterator& other) const { return node_ != other.node_; }

    private:
        const Node* node_;
    };
    Iterator begin() const { return Iterator(head_.next); }
    Iterator end() const { return Iterator(&head_); }

private:
    static T* owner(const Node* node) { return static_cast<T*>(const_cast<Node*>(node)); }
    static Node& node_of(T& item) { return static_cast<Node&>(item); }

    void link_after(Node& where, Node& node) {
        node.prev = &where;
        node.next = where.next;
        where.next->prev = &node;
        where.next = &node;
        ++size_;
    }

    Node head_;
    size_t size_ = 0;
};

}  // namespace lib
