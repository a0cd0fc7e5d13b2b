// Host tests of lib::IntrusiveList.
#include "lib/intrusive_list.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

struct ByA;
struct ByB;
struct Item : lib::ListNode<ByA>, lib::ListNode<ByB> {
    explicit Item(int v) : value(v) {}
    int value;
};

template <typename Tag>
std::vector<int> values(const lib::IntrusiveList<Item, Tag>& list) {
    std::vector<int> out;
    for (Item& item : list) out.push_back(item.value);
    return out;
}

TEST(IntrusiveList, PushPopAndRemoveInTheMiddle) {
    lib::IntrusiveList<Item, ByA> list;
    Item a(1), b(2), c(3);
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.front(), nullptr);
    list.push_back(b);
    list.push_front(a);
    list.push_back(c);
    EXPECT_EQ(values(list), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(list.size(), 3u);
    list.remove(b);
    EXPECT_FALSE(static_cast<lib::ListNode<ByA>&>(b).linked());
    EXPECT_EQ(values(list), (std::vector<int>{1, 3}));
    EXPECT_EQ(list.next(a), &c);
    EXPECT_EQ(list.prev(a), nullptr);
    EXPECT_EQ(list.next(c), nullptr);
    EXPECT_EQ(list.pop_front(), &a);
    EXPECT_EQ(list.back(), &c);
    EXPECT_EQ(list.pop_front(), &c);
    EXPECT_EQ(list.pop_front(), nullptr);
    EXPECT_TRUE(list.empty());
}

TEST(IntrusiveList, OneElementInTwoListsAtOnce) {
    lib::IntrusiveList<Item, ByA> first;
    lib::IntrusiveList<Item, ByB> second;
    Item a(1), b(2);
    first.push_back(a);
    first.push_back(b);
    second.push_back(b);
    second.push_back(a);
    EXPECT_EQ(values(first), (std::vector<int>{1, 2}));
    EXPECT_EQ(values(second), (std::vector<int>{2, 1}));
    first.remove(a);
    EXPECT_EQ(values(second), (std::vector<int>{2, 1}));
}

TEST(IntrusiveList, InsertSortedIsStable) {
    lib::IntrusiveList<Item, ByA> list;
    Item a(5), b(1), c(5), d(3), e(9);
    auto less = [](const Item& x, const Item& y) { return x.value < y.value; };
    for (Item* item : {&a, &b, &c, &d, &e}) list.insert_sorted(*item, less);
    EXPECT_EQ(values(list), (std::vector<int>{1, 3, 5, 5, 9}));
    EXPECT_EQ(list.next(a), &c) << "equal keys keep their insertion order";
    Item f(4);
    list.insert_before(c, f);
    EXPECT_EQ(list.prev(c), &f);
}

TEST(IntrusiveList, ReplaceTakesThePlaceAndTheCount) {
    lib::IntrusiveList<Item, ByA> list;
    Item a(1), b(2), c(3), d(4);
    list.push_back(a);
    list.replace(a, b);
    EXPECT_EQ(values(list), (std::vector<int>{2}));
    EXPECT_FALSE(static_cast<lib::ListNode<ByA>&>(a).linked());
    list.push_front(a);
    list.push_back(c);
    list.replace(b, d);
    EXPECT_EQ(values(list), (std::vector<int>{1, 4, 3}));
    EXPECT_EQ(list.size(), 3u);
    EXPECT_EQ(list.prev(c), &d);
    EXPECT_EQ(list.next(a), &d);
}

TEST(IntrusiveList, ReplaceOnlySwapsTheOneElement) {
    lib::IntrusiveList<Item, ByA> list;
    Item a(1), b(2), c(3);
    list.push_back(a);
    list.replace_only(a, b);
    EXPECT_EQ(values(list), (std::vector<int>{2}));
    EXPECT_EQ(list.size(), 1u);
    EXPECT_EQ(list.front(), &b);
    EXPECT_EQ(list.back(), &b);
    EXPECT_FALSE(static_cast<lib::ListNode<ByA>&>(a).linked());
    list.push_back(c);
    list.push_front(a);
    EXPECT_EQ(values(list), (std::vector<int>{1, 2, 3})) << "the links stay usable";
    EXPECT_EQ(list.prev(b), &a);
    EXPECT_EQ(list.next(b), &c);
}

}  // namespace
