//! The settings of one Kafka connection.

use std::time::Duration;

use super::super::queue::QueueError;
use super::super::topics::{TopicLayout, Topics};
use crate::config::KafkaSettings;

/// Everything [`KafkaQueue::connect`](super::KafkaQueue::connect) needs.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// Bootstrap servers, `host:port,…` (`ABSTAT_KAFKA_BROKERS`).
    pub brokers: String,
    /// The workers' consumer group (`ABSTAT_KAFKA_GROUP`).
    pub group: String,
    /// Topic names.
    pub topics: Topics,
    /// Partitions and replication of topics created at start-up.
    pub layout: TopicLayout,
    /// Client id shown in broker logs and metrics.
    pub client_id: String,
    /// A worker that sends no heartbeat for this long is considered dead
    /// and its partitions go to the others (default 10 s; brokers refuse
    /// less than their `group.min.session.timeout.ms`, 6 s by default).
    pub session_timeout: Duration,
    /// Longest wait for a broker to answer a metadata, admin or commit
    /// request (default 10 s).
    pub request_timeout: Duration,
    /// Longest wait for the brokers to acknowledge a produced message
    /// (default 30 s).
    pub delivery_timeout: Duration,
    /// Domain events buffered for sending before new ones are dropped
    /// (default 10 000).
    pub event_buffer: usize,
    /// Longest time a domain event waits in the buffer for the brokers
    /// (default 5 min), so events ride out a broker restart; older ones
    /// are dropped and counted. Publishing never waits for it.
    pub event_timeout: Duration,
}

impl KafkaOptions {
    /// Defaults for everything but the brokers.
    pub fn new(brokers: impl Into<String>) -> KafkaOptions {
        KafkaOptions {
            brokers: brokers.into(),
            group: crate::config::DEFAULT_KAFKA_GROUP.to_string(),
            topics: Topics::default(),
            layout: TopicLayout::default(),
            client_id: format!("abstat-{}", std::process::id()),
            session_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            delivery_timeout: Duration::from_secs(30),
            event_buffer: 10_000,
            event_timeout: Duration::from_secs(300),
        }
    }

    /// The options for `brokers` and the configured [`KafkaSettings`].
    pub fn from_settings(brokers: &str, settings: &KafkaSettings) -> Result<Self, QueueError> {
        let topics =
            Topics::new(&settings.topic_prefix).map_err(|e| QueueError::Backend(e.to_string()))?;
        Ok(KafkaOptions {
            group: settings.group.clone(),
            topics,
            layout: settings.layout,
            ..KafkaOptions::new(brokers)
        })
    }

    pub(super) fn validate(&self) -> Result<(), QueueError> {
        let problem = if self.brokers.trim().is_empty() {
            "no brokers given (ABSTAT_KAFKA_BROKERS)"
        } else if self.group.trim().is_empty() {
            "the consumer group is empty (ABSTAT_KAFKA_GROUP)"
        } else if self.layout.partitions < 1 || self.layout.replication < 1 {
            "partitions and replication must be at least 1"
        } else if self.session_timeout < Duration::from_millis(300)
            || self.request_timeout < Duration::from_millis(100)
            || self.delivery_timeout < Duration::from_millis(100)
            || self.event_timeout < Duration::from_millis(100)
        {
            "a timeout is too short to talk to a broker"
        } else {
            return Ok(());
        };
        Err(QueueError::Backend(format!(
            "invalid Kafka options: {problem}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert!(KafkaOptions::new("h:1").validate().is_ok());
        assert!(KafkaOptions::new(" ").validate().is_err());
        let mut o = KafkaOptions::new("h:1");
        o.layout.partitions = 0;
        assert!(o.validate().is_err());
        let settings = KafkaSettings {
            topic_prefix: "t.".into(),
            group: "g".into(),
            layout: TopicLayout {
                partitions: 2,
                replication: 1,
            },
        };
        let o = KafkaOptions::from_settings("h:1", &settings).unwrap();
        assert_eq!((o.group.as_str(), o.topics.jobs()), ("g", "t.jobs"));
        assert_eq!(o.layout.partitions, 2);
    }
}
