//! Which offsets may be committed when jobs finish out of order.
//!
//! Kafka keeps one committed offset per partition: "everything before this
//! is done". Workers finish jobs in any order, so committing the offset of
//! the job that just finished could skip an earlier one still running; if
//! the worker then died, that job would be lost. The tracker commits only
//! up to the lowest offset still in flight (the watermark of Flink's and
//! Kafka Streams' "commit the lowest unfinished offset" schemes).

use std::collections::{BTreeSet, HashMap, HashSet};

/// A topic and partition.
pub(crate) type Partition = (String, i32);

#[derive(Debug)]
struct PartitionOffsets {
    /// Delivered to a worker and not finished.
    in_flight: BTreeSet<i64>,
    /// One past the highest offset delivered.
    next: i64,
    /// The offset last committed (or, before any commit, the first offset
    /// delivered: nothing before it is ours to commit).
    committed: i64,
}

impl PartitionOffsets {
    /// The highest offset that may be committed: the lowest in flight, or
    /// one past everything delivered when nothing is.
    fn committable(&self) -> i64 {
        self.in_flight.first().copied().unwrap_or(self.next)
    }
}

/// In-flight offsets of the partitions this consumer owns.
#[derive(Debug, Default)]
pub(crate) struct OffsetTracker {
    /// The partitions the group assigned to this consumer.
    assigned: HashSet<Partition>,
    partitions: HashMap<Partition, PartitionOffsets>,
}

impl OffsetTracker {
    /// The group assigned these partitions to this consumer.
    pub(crate) fn assign(&mut self, partitions: &[Partition]) {
        self.assigned.extend(partitions.iter().cloned());
    }

    /// A record is about to be handed to a worker (records of one partition
    /// arrive in offset order). Returns `false`, and records nothing, when
    /// its partition is not assigned to this consumer (any more): the record
    /// is its new owner's to deliver.
    pub(crate) fn delivered(&mut self, topic: &str, partition: i32, offset: i64) -> bool {
        let key = (topic.to_string(), partition);
        if !self.assigned.contains(&key) {
            return false;
        }
        let p = self
            .partitions
            .entry(key)
            .or_insert_with(|| PartitionOffsets {
                in_flight: BTreeSet::new(),
                next: offset,
                committed: offset,
            });
        p.in_flight.insert(offset);
        p.next = p.next.max(offset + 1);
        true
    }

    /// A record is finished. Returns `true` when this lets the committed
    /// offset move. A record this consumer does not hold in flight (its
    /// partition was revoked since, or it was already finished) changes
    /// nothing: the record will be, or was, delivered again and its job
    /// found finished.
    pub(crate) fn finished(&mut self, topic: &str, partition: i32, offset: i64) -> bool {
        let Some(p) = self.partitions.get_mut(&(topic.to_string(), partition)) else {
            return false;
        };
        p.in_flight.remove(&offset) && p.committable() > p.committed
    }

    /// Offsets to commit now: for each partition whose committable offset
    /// is past its committed one, `(partition, offset)`.
    pub(crate) fn pending(&self) -> Vec<(Partition, i64)> {
        self.partitions
            .iter()
            .filter(|(_, p)| p.committable() > p.committed)
            .map(|(k, p)| (k.clone(), p.committable()))
            .collect()
    }

    /// These offsets were committed. Partitions no longer owned are skipped,
    /// and the committed offset never moves back.
    pub(crate) fn committed(&mut self, offsets: &[(Partition, i64)]) {
        for (key, offset) in offsets {
            if let Some(p) = self.partitions.get_mut(key) {
                p.committed = p.committed.max(*offset);
            }
        }
    }

    /// The partitions are revoked: returns their offsets still to commit,
    /// and forgets them.
    pub(crate) fn revoke(&mut self, partitions: &[Partition]) -> Vec<(Partition, i64)> {
        partitions
            .iter()
            .filter_map(|key| {
                self.assigned.remove(key);
                let p = self.partitions.remove(key)?;
                (p.committable() > p.committed).then(|| (key.clone(), p.committable()))
            })
            .collect()
    }

    /// Records delivered and not finished, over all partitions.
    pub(crate) fn in_flight(&self) -> usize {
        self.partitions.values().map(|p| p.in_flight.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: i32) -> Partition {
        ("jobs".to_string(), p)
    }

    /// A tracker owning partitions 0..8 of "jobs" and "retry".
    fn owning() -> OffsetTracker {
        let mut t = OffsetTracker::default();
        for p in 0..8 {
            t.assign(&[key(p), ("retry".to_string(), p)]);
        }
        t
    }

    #[test]
    fn records_of_partitions_not_assigned_are_refused() {
        let mut t = OffsetTracker::default();
        assert!(!t.delivered("jobs", 0, 1));
        t.assign(&[key(0)]);
        assert!(t.delivered("jobs", 0, 1));
        t.revoke(&[key(0)]);
        assert!(!t.delivered("jobs", 0, 2));
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn never_commits_past_an_unfinished_offset() {
        let mut t = owning();
        for o in 10..14 {
            t.delivered("jobs", 0, o);
        }
        // 11 and 12 finish before 10: nothing may be committed yet.
        assert!(!t.finished("jobs", 0, 11));
        assert!(!t.finished("jobs", 0, 12));
        assert!(t.pending().is_empty());
        // 10 finishes: commit up to 13, the one still running.
        assert!(t.finished("jobs", 0, 10));
        assert_eq!(t.pending(), vec![(key(0), 13)]);
        t.committed(&[(key(0), 13)]);
        assert!(t.pending().is_empty());
        // 13 finishes: commit one past it.
        assert!(t.finished("jobs", 0, 13));
        assert_eq!(t.pending(), vec![(key(0), 14)]);
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn partitions_are_independent() {
        let mut t = owning();
        t.delivered("jobs", 0, 5);
        t.delivered("jobs", 1, 7);
        t.delivered("retry", 0, 0);
        assert!(t.finished("jobs", 1, 7));
        assert_eq!(t.pending(), vec![(key(1), 8)]);
    }

    #[test]
    fn unknown_and_repeated_finishes_change_nothing() {
        let mut t = owning();
        t.delivered("jobs", 0, 3);
        assert!(!t.finished("jobs", 1, 3), "partition never delivered");
        assert!(!t.finished("jobs", 0, 2), "offset never delivered");
        assert!(t.finished("jobs", 0, 3));
        t.committed(&[(key(0), 4)]);
        assert!(!t.finished("jobs", 0, 3), "finished twice");
        assert!(t.pending().is_empty());
    }

    #[test]
    fn revoking_returns_what_is_due_and_forgets_the_partition() {
        let mut t = owning();
        t.delivered("jobs", 0, 0);
        t.delivered("jobs", 0, 1);
        t.delivered("jobs", 2, 9);
        t.finished("jobs", 0, 0);
        let due = t.revoke(&[key(0), key(2), key(5)]);
        assert_eq!(due, vec![(key(0), 1)]);
        assert!(!t.finished("jobs", 0, 1), "a revoked record is not ours");
        t.committed(&[(key(0), 2)]);
        assert!(t.pending().is_empty());
        // Assigned again later: tracking starts afresh from the first record.
        t.assign(&[key(0)]);
        assert!(t.delivered("jobs", 0, 1));
        assert!(t.finished("jobs", 0, 1));
        assert_eq!(t.pending(), vec![(key(0), 2)]);
    }

    #[test]
    fn commits_never_move_back() {
        let mut t = owning();
        t.delivered("jobs", 0, 0);
        t.finished("jobs", 0, 0);
        t.committed(&[(key(0), 1)]);
        t.committed(&[(key(0), 0)]);
        t.delivered("jobs", 0, 1);
        assert!(t.pending().is_empty());
    }
}
