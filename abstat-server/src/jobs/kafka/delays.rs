//! Retried jobs that arrived before their not-before time.
//!
//! Such a record is held here, and its partition is paused so the consumer
//! fetches nothing more from it (bounding what is held) while every other
//! partition keeps flowing. When the time comes the record is handed to a
//! worker and its partition resumed; librdkafka then fetches again from the
//! record after the last one delivered, so nothing is skipped.

use std::collections::{BTreeMap, HashMap};

use super::offsets::Partition;
use crate::jobs::queue::Delivery;

/// Records held until their time, by (due time in ms, arrival sequence).
#[derive(Debug, Default)]
pub(crate) struct Delays {
    held: BTreeMap<(i64, u64), (Partition, Delivery)>,
    per_partition: HashMap<Partition, usize>,
    sequence: u64,
}

impl Delays {
    /// Hold `delivery` from `partition` until `due_ms`. Returns `true` when
    /// it is the partition's first held record, i.e. the partition must be
    /// paused now.
    pub(crate) fn hold(&mut self, due_ms: i64, partition: Partition, delivery: Delivery) -> bool {
        self.sequence += 1;
        let count = self.per_partition.entry(partition.clone()).or_insert(0);
        *count += 1;
        let first = *count == 1;
        self.held
            .insert((due_ms, self.sequence), (partition, delivery));
        first
    }

    /// The earliest held record due at `now_ms`, and its partition when it
    /// was the partition's last held record (so it must be resumed).
    pub(crate) fn pop_due(&mut self, now_ms: i64) -> Option<(Delivery, Option<Partition>)> {
        let (&key, _) = self.held.first_key_value()?;
        if key.0 > now_ms {
            return None;
        }
        let (partition, delivery) = self.held.remove(&key)?;
        let count = self
            .per_partition
            .get_mut(&partition)
            .expect("every held record is counted");
        *count -= 1;
        let resume = (*count == 0).then(|| {
            self.per_partition.remove(&partition);
            partition
        });
        Some((delivery, resume))
    }

    /// When the next held record is due, in ms since the epoch.
    pub(crate) fn next_due(&self) -> Option<i64> {
        self.held.first_key_value().map(|(k, _)| k.0)
    }

    /// Drop the records of revoked partitions (their new owner receives
    /// them again from the committed offset). Returns the partitions that
    /// held any, which must be resumed: a pause outlives a rebalance.
    pub(crate) fn drop_partitions(&mut self, revoked: &[Partition]) -> Vec<Partition> {
        let dropped: Vec<Partition> = revoked
            .iter()
            .filter(|p| self.per_partition.remove(*p).is_some())
            .cloned()
            .collect();
        if !dropped.is_empty() {
            self.held.retain(|_, (p, _)| !dropped.contains(p));
        }
        dropped
    }

    /// How many records are held.
    pub(crate) fn len(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::queue::{JobKind, JobMessage, Receipt};

    fn delivery(offset: i64) -> Delivery {
        Delivery {
            message: JobMessage {
                job_id: format!("job-{offset}"),
                kind: JobKind::StatTest,
                owner_id: "u".into(),
                attempt: 2,
                submitted_at_ms: 0,
            },
            receipt: Receipt::Kafka {
                topic: "retry".into(),
                partition: 0,
                offset,
            },
        }
    }

    fn p(n: i32) -> Partition {
        ("retry".to_string(), n)
    }

    #[test]
    fn records_come_out_when_due_in_time_order() {
        let mut d = Delays::default();
        assert!(d.hold(200, p(0), delivery(1)), "first on p0: pause");
        assert!(
            !d.hold(100, p(0), delivery(2)),
            "second on p0: already paused"
        );
        assert!(d.hold(150, p(1), delivery(7)));
        assert_eq!(d.next_due(), Some(100));
        assert!(d.pop_due(99).is_none());
        let (first, resume) = d.pop_due(100).unwrap();
        assert_eq!(first, delivery(2));
        assert_eq!(resume, None, "p0 still holds a record");
        let (second, resume) = d.pop_due(1000).unwrap();
        assert_eq!(second, delivery(7));
        assert_eq!(resume, Some(p(1)));
        let (third, resume) = d.pop_due(1000).unwrap();
        assert_eq!(third, delivery(1));
        assert_eq!(resume, Some(p(0)));
        assert_eq!(d.len(), 0);
        assert_eq!(d.next_due(), None);
    }

    #[test]
    fn revoked_partitions_are_dropped_and_named_for_resuming() {
        let mut d = Delays::default();
        d.hold(100, p(0), delivery(1));
        d.hold(100, p(1), delivery(2));
        assert_eq!(d.drop_partitions(&[p(0), p(3)]), vec![p(0)]);
        assert_eq!(d.len(), 1);
        let (left, resume) = d.pop_due(100).unwrap();
        assert_eq!(left, delivery(2));
        assert_eq!(resume, Some(p(1)));
    }
}
