//! The list type: [`List`], the value of [`Value::List`], and Redis's index rules.
//!
//! A list is a persistent `imbl::Vector` of owned elements: cloning it (for a snapshot) is O(1), and
//! indexing, pushing and popping at either end, inserting and removing cost O(log n).
//!
//! Redis never stores an empty list: commands that remove elements delete the key when the list
//! becomes empty, so a stored [`List`] always has at least one element.

use std::ops::RangeInclusive;

use bytes::Bytes;
use imbl::Vector;

use crate::keyspace::Value;

/// One end of a list (Redis's `LIST_HEAD` and `LIST_TAIL`, spelled `LEFT` and `RIGHT` in commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head: index 0.
    Left,
    /// The tail: index `len - 1`.
    Right,
}

/// A Redis list of binary-safe elements.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List {
    /// The elements, head first. Each is an owned copy, never a slice of a request buffer.
    items: Vector<Bytes>,
}

impl List {
    /// Returns the number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Returns true when the list has no element (such a list is deleted, never stored).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Pushes a copy of `element` at `end`.
    ///
    /// The copy is deliberate: arguments arrive as slices of large request buffers, and a stored
    /// element must not keep such a buffer alive.
    pub fn push(&mut self, end: End, element: &[u8]) {
        self.push_owned(end, Bytes::copy_from_slice(element));
    }

    /// Pushes an element that is already an owned copy (one popped from a list, or read from a
    /// snapshot) at `end`.
    pub fn push_owned(&mut self, end: End, element: Bytes) {
        match end {
            End::Left => self.items.push_front(element),
            End::Right => self.items.push_back(element),
        }
    }

    /// Removes and returns the element at `end`, or `None` when the list is empty.
    pub fn pop(&mut self, end: End) -> Option<Bytes> {
        match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }
    }

    /// Removes up to `count` elements from `end` and returns them in the order they were popped
    /// (so from the right end they come tail first), as `LPOP`/`RPOP key count` reply.
    pub fn pop_many(&mut self, end: End, count: usize) -> Vec<Bytes> {
        let count = count.min(self.len());
        let mut popped = Vec::with_capacity(count);
        for _ in 0..count {
            popped.extend(self.pop(end));
        }
        popped
    }

    /// Returns the element at position `idx` from the head.
    pub fn get(&self, idx: usize) -> Option<&Bytes> {
        self.items.get(idx)
    }

    /// Replaces the element at `idx` by a copy of `element`; returns false when `idx` is out of range.
    pub fn set(&mut self, idx: usize, element: &[u8]) -> bool {
        if idx >= self.len() {
            return false;
        }
        self.items.set(idx, Bytes::copy_from_slice(element));
        true
    }

    /// Inserts a copy of `element` so that it ends up at position `idx` (`idx <= len`).
    pub fn insert(&mut self, idx: usize, element: &[u8]) {
        self.items.insert(idx, Bytes::copy_from_slice(element));
    }

    /// Removes and returns the element at `idx` (`idx < len`).
    pub fn remove(&mut self, idx: usize) -> Bytes {
        self.items.remove(idx)
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Keeps only the elements of positions in `keep` (its end may lie past the list); a `keep` that
    /// selects nothing empties the list.
    pub fn retain_range(&mut self, keep: RangeInclusive<usize>) {
        if keep.is_empty() || *keep.start() >= self.len() {
            self.items.clear();
            return;
        }
        let end = (*keep.end()).min(self.len() - 1);
        self.items.truncate(end + 1);
        self.items = self.items.split_off(*keep.start());
    }

    /// Removes the elements equal to `element`, at most `limit` of them (`None`: all), scanning from
    /// `from`; returns how many were removed.
    pub fn remove_matching(&mut self, element: &[u8], from: End, limit: Option<usize>) -> usize {
        let limit = limit.unwrap_or(usize::MAX);
        let mut matches: Vec<usize> = self
            .positions(element, from, usize::MAX)
            .take(limit)
            .collect();
        // Remove from the highest position down, so the positions still to remove stay valid.
        matches.sort_unstable_by(|a, b| b.cmp(a));
        for &idx in &matches {
            self.items.remove(idx);
        }
        matches.len()
    }

    /// Iterates over the positions (from the head) of the elements equal to `element`, in the order
    /// met when scanning from `from`, looking at no more than `max_scanned` elements.
    pub fn positions<'a>(
        &'a self,
        element: &'a [u8],
        from: End,
        max_scanned: usize,
    ) -> Box<dyn Iterator<Item = usize> + 'a> {
        let matching = move |(idx, item): (usize, &Bytes)| (item[..] == *element).then_some(idx);
        let scanned = self.items.iter().enumerate();
        match from {
            End::Left => Box::new(scanned.take(max_scanned).filter_map(matching)),
            End::Right => Box::new(scanned.rev().take(max_scanned).filter_map(matching)),
        }
    }

    /// Iterates over all elements, head first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        self.items.iter()
    }

    /// Iterates over the elements of positions `range` (which must lie within the list), head first;
    /// reverse it for tail first.
    pub fn range(
        &self,
        range: RangeInclusive<usize>,
    ) -> impl DoubleEndedIterator<Item = &Bytes> + ExactSizeIterator {
        self.items.focus().narrow(range).into_iter()
    }

    /// Converts a Redis index (negative counts from the tail, -1 is the last element) to a
    /// position, or `None` when it falls outside the list (`LINDEX`, `LSET`).
    pub fn resolve_index(&self, index: i64) -> Option<usize> {
        let len = self.len() as i64;
        let idx = if index < 0 { len + index } else { index };
        (0..len).contains(&idx).then_some(idx as usize)
    }

    /// Converts a Redis `start stop` range (inclusive, negative indexes count from the tail) to the
    /// positions it covers, clamped to the list, or `None` when it selects nothing (Redis's
    /// `addListRangeReply`: start after stop, or start past the end).
    pub fn resolve_range(&self, start: i64, stop: i64) -> Option<RangeInclusive<usize>> {
        let len = self.len() as i64;
        // `len + i` cannot overflow: `len >= 0` and `i < 0`.
        let start = if start < 0 { len + start } else { start }.max(0);
        let stop = if stop < 0 { len + stop } else { stop };
        if start > stop || start >= len {
            return None;
        }
        let stop = stop.min(len - 1);
        Some(start as usize..=stop as usize)
    }
}

impl FromIterator<Bytes> for List {
    /// Builds a list from owned elements, head first (snapshot loading, tests).
    fn from_iter<I: IntoIterator<Item = Bytes>>(iter: I) -> List {
        List {
            items: iter.into_iter().collect(),
        }
    }
}

impl Value {
    /// Returns the list of a list value, or `None` for any other type.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(list) => Some(list),
            _ => None,
        }
    }

    /// Returns the list of a list value for modification, or `None` for any other type.
    pub fn as_list_mut(&mut self) -> Option<&mut List> {
        match self {
            Value::List(list) => Some(list),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> List {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn items(list: &List) -> Vec<&str> {
        list.iter()
            .map(|b| std::str::from_utf8(b).unwrap())
            .collect()
    }

    #[test]
    fn push_pop_both_ends() {
        let mut l = List::default();
        l.push(End::Left, b"b");
        l.push(End::Left, b"a");
        l.push(End::Right, b"c");
        assert_eq!(items(&l), ["a", "b", "c"]);
        assert_eq!(l.pop(End::Right).as_deref(), Some(&b"c"[..]));
        assert_eq!(l.pop(End::Left).as_deref(), Some(&b"a"[..]));
        assert_eq!(l.pop_many(End::Left, 5), vec![Bytes::from_static(b"b")]);
        assert!(l.is_empty());
        assert_eq!(l.pop(End::Left), None);

        let mut l = list(&["a", "b", "c", "d"]);
        assert_eq!(
            l.pop_many(End::Right, 2),
            list(&["d", "c"]).iter().cloned().collect::<Vec<_>>()
        );
        assert_eq!(items(&l), ["a", "b"]);
    }

    #[test]
    fn index_and_range_rules() {
        let l = list(&["a", "b", "c"]);
        let cases = [
            (0, Some(0)),
            (2, Some(2)),
            (3, None),
            (-1, Some(2)),
            (-3, Some(0)),
            (-4, None),
        ];
        for (index, expected) in cases {
            assert_eq!(l.resolve_index(index), expected, "{index}");
        }
        assert_eq!(l.resolve_index(i64::MIN), None);
        assert_eq!(l.resolve_index(i64::MAX), None);

        let ranges = [
            ((0, -1), Some(0..=2)),
            ((-100, 100), Some(0..=2)),
            ((1, 1), Some(1..=1)),
            ((2, 1), None),
            ((3, 5), None),
            ((0, -4), None),
            ((-2, -1), Some(1..=2)),
            ((i64::MIN, i64::MAX), Some(0..=2)),
            ((i64::MAX, i64::MIN), None),
        ];
        for ((start, stop), expected) in ranges {
            assert_eq!(l.resolve_range(start, stop), expected, "{start} {stop}");
        }
        assert_eq!(List::default().resolve_range(0, -1), None);
        let mid: Vec<_> = l.range(1..=2).rev().collect();
        assert_eq!(mid, [&Bytes::from_static(b"c"), &Bytes::from_static(b"b")]);
    }

    #[test]
    fn edit_in_place() {
        let mut l = list(&["a", "x", "b", "x", "c", "x"]);
        let positions =
            |from, max_scanned| l.positions(b"x", from, max_scanned).collect::<Vec<_>>();
        assert_eq!(positions(End::Left, usize::MAX), [1, 3, 5]);
        assert_eq!(positions(End::Right, usize::MAX), [5, 3, 1]);
        assert_eq!(positions(End::Left, 4), [1, 3]);
        assert_eq!(positions(End::Right, 1), [5]);
        assert!(positions(End::Right, 0).is_empty());
        assert_eq!(l.remove_matching(b"x", End::Right, Some(2)), 2);
        assert_eq!(items(&l), ["a", "x", "b", "c"]);
        assert_eq!(l.remove_matching(b"x", End::Left, None), 1);
        assert_eq!(l.remove_matching(b"nope", End::Left, None), 0);
        assert!(l.set(0, b"A"));
        assert!(!l.set(3, b"D"));
        l.insert(3, b"d");
        assert_eq!(l.remove(1), Bytes::from_static(b"b"));
        assert_eq!(items(&l), ["A", "c", "d"]);

        let mut l = list(&["a", "b", "c", "d"]);
        l.retain_range(1..=2);
        assert_eq!(items(&l), ["b", "c"]);
        l.retain_range(1..=9);
        assert_eq!(items(&l), ["c"]);
        l.retain_range(1..=9);
        assert!(l.is_empty());
        let mut l = list(&["a", "b"]);
        l.clear();
        assert!(l.is_empty());
    }

    #[test]
    fn stored_elements_do_not_pin_the_request_buffer() {
        let request = Bytes::from(vec![b'x'; 1024]);
        let mut l = List::default();
        l.push(End::Right, &request[..3]);
        l.insert(0, &request[3..6]);
        l.set(1, &request[6..9]);
        for element in l.iter() {
            assert!(!request.as_ptr_range().contains(&element.as_ptr()));
        }
    }

    #[test]
    fn clone_is_independent() {
        let mut a = list(&["a"]);
        let b = a.clone();
        a.push(End::Right, b"b");
        assert_eq!(items(&b), ["a"]);
        assert_eq!(Value::List(Box::new(b.clone())).as_list(), Some(&b));
        assert_eq!(Value::string(b"s").as_list(), None);
        assert_eq!(Value::List(Box::new(b)).type_name(), "list");
    }
}
