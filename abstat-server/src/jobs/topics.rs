//! Every Kafka topic abstat uses, named in one place (PostHog's
//! `kafka_client/topics.py` habit), and their idempotent creation at
//! start-up.
//!
//! | topic | carries | key |
//! |---|---|---|
//! | `{prefix}jobs` | new [`JobMessage`](super::queue::JobMessage)s | job id |
//! | `{prefix}jobs.retry` | retried jobs, with a not-before header | job id |
//! | `{prefix}jobs.dlq` | dead letters, with reason and origin headers | job id |
//! | `{prefix}results` | finished results for the bot | job id |
//! | `{prefix}events` | [`DomainEvent`](super::events::DomainEvent)s | job or dataset id |
//!
//! The prefix (`ABSTAT_KAFKA_TOPIC_PREFIX`, default `abstat.`) lets several
//! deployments, or tests, share one cluster.

use std::fmt;

/// The default topic prefix.
pub const DEFAULT_PREFIX: &str = "abstat.";

/// Kafka's limit on a topic name's length.
const MAX_TOPIC_LEN: usize = 249;

/// The longest suffix appended to the prefix (`jobs.retry`).
const LONGEST_SUFFIX: usize = "jobs.retry".len();

/// The topic names of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
    jobs: String,
    retry: String,
    dead_letters: String,
    results: String,
    events: String,
}

/// A topic prefix Kafka would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Kafka topic prefix '{prefix}' {problem}")]
pub struct TopicPrefixError {
    /// The prefix as given.
    pub prefix: String,
    /// What is wrong with it.
    pub problem: String,
}

impl Topics {
    /// The topics under `prefix`, which may use ASCII letters, digits, `.`,
    /// `_` and `-` (Kafka's legal characters) and may be empty.
    pub fn new(prefix: &str) -> Result<Topics, TopicPrefixError> {
        let err = |problem: String| TopicPrefixError {
            prefix: prefix.to_string(),
            problem,
        };
        if let Some(c) = prefix
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(err(format!(
                "contains '{c}'; topic names may only use ASCII letters, digits, '.', '_' and '-'"
            )));
        }
        if prefix.len() + LONGEST_SUFFIX > MAX_TOPIC_LEN {
            return Err(err(format!(
                "is {} characters long; at most {} fit in Kafka's {MAX_TOPIC_LEN}-character topic names",
                prefix.len(),
                MAX_TOPIC_LEN - LONGEST_SUFFIX
            )));
        }
        Ok(Topics {
            prefix: prefix.to_string(),
            jobs: format!("{prefix}jobs"),
            retry: format!("{prefix}jobs.retry"),
            dead_letters: format!("{prefix}jobs.dlq"),
            results: format!("{prefix}results"),
            events: format!("{prefix}events"),
        })
    }

    /// The prefix every name starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// New jobs.
    pub fn jobs(&self) -> &str {
        &self.jobs
    }

    /// Jobs to run again after a backoff.
    pub fn retry(&self) -> &str {
        &self.retry
    }

    /// Jobs that will not be run again (poison or out of attempts).
    pub fn dead_letters(&self) -> &str {
        &self.dead_letters
    }

    /// Finished results.
    pub fn results(&self) -> &str {
        &self.results
    }

    /// Domain events.
    pub fn events(&self) -> &str {
        &self.events
    }

    /// The topics workers consume: new jobs and retries.
    pub fn consumed(&self) -> [&str; 2] {
        [&self.jobs, &self.retry]
    }

    /// Every topic, in the order of the table above.
    pub fn all(&self) -> [&str; 5] {
        [
            &self.jobs,
            &self.retry,
            &self.dead_letters,
            &self.results,
            &self.events,
        ]
    }
}

impl Default for Topics {
    fn default() -> Self {
        Topics::new(DEFAULT_PREFIX).expect("the default prefix is valid")
    }
}

impl fmt::Display for Topics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.all().join(", "))
    }
}

/// How topics are created when they do not exist yet. Existing topics are
/// left as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicLayout {
    /// Partitions per topic: the most workers that can share one topic
    /// (`ABSTAT_KAFKA_PARTITIONS`).
    pub partitions: i32,
    /// Copies of each partition; 1 for a single broker, 3 is usual for a
    /// cluster (`ABSTAT_KAFKA_REPLICATION`).
    pub replication: i32,
}

impl Default for TopicLayout {
    fn default() -> Self {
        TopicLayout {
            partitions: 6,
            replication: 1,
        }
    }
}

#[cfg(feature = "kafka")]
pub use admin::{TopicStatus, ensure_topics};

#[cfg(feature = "kafka")]
mod admin {
    use std::time::Duration;

    use rdkafka::ClientConfig;
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::types::RDKafkaErrorCode;

    use super::{TopicLayout, Topics};
    use crate::jobs::queue::QueueError;

    /// What [`ensure_topics`] found for one topic.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TopicStatus {
        /// The topic.
        pub name: String,
        /// `true` when this call created it, `false` when it existed.
        pub created: bool,
    }

    /// Create every topic of `topics` that does not exist yet, with
    /// `layout`; existing topics are kept as they are. Safe to call from
    /// every process at every start: "already exists" is success.
    ///
    /// Gives up after `timeout` with [`QueueError::Unavailable`] naming the
    /// brokers.
    pub async fn ensure_topics(
        brokers: &str,
        topics: &Topics,
        layout: TopicLayout,
        timeout: Duration,
    ) -> Result<Vec<TopicStatus>, QueueError> {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set(
                "socket.connection.setup.timeout.ms",
                timeout.as_millis().to_string(),
            )
            .create()
            .map_err(|e| QueueError::Backend(format!("cannot create a Kafka admin client: {e}")))?;
        let new: Vec<NewTopic<'_>> = topics
            .all()
            .into_iter()
            .map(|name| {
                NewTopic::new(
                    name,
                    layout.partitions,
                    TopicReplication::Fixed(layout.replication),
                )
            })
            .collect();
        let options = AdminOptions::new()
            .request_timeout(Some(timeout))
            .operation_timeout(Some(timeout));
        let unavailable = |what: String| {
            QueueError::Unavailable(format!(
                "cannot create the Kafka topics on brokers {brokers}: {what}; check ABSTAT_KAFKA_BROKERS and that Kafka is running"
            ))
        };
        // The admin request has its own timeout; the outer one also covers
        // the time librdkafka spends finding a broker at all.
        let results = tokio::time::timeout(
            timeout + Duration::from_secs(1),
            admin.create_topics(&new, &options),
        )
        .await
        .map_err(|_| unavailable(format!("no answer within {timeout:?}")))?
        .map_err(|e| unavailable(e.to_string()))?;
        let mut statuses = Vec::with_capacity(results.len());
        for result in results {
            match result {
                Ok(name) => statuses.push(TopicStatus {
                    name,
                    created: true,
                }),
                Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => statuses.push(TopicStatus {
                    name,
                    created: false,
                }),
                Err((name, code)) => {
                    return Err(QueueError::Backend(format!(
                        "cannot create the Kafka topic {name} ({} partitions, replication {}): {code}",
                        layout.partitions, layout.replication
                    )));
                }
            }
        }
        Ok(statuses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_share_the_prefix_and_differ() {
        let t = Topics::new("test-1.").unwrap();
        assert_eq!(t.jobs(), "test-1.jobs");
        assert_eq!(t.retry(), "test-1.jobs.retry");
        assert_eq!(t.dead_letters(), "test-1.jobs.dlq");
        assert_eq!(t.results(), "test-1.results");
        assert_eq!(t.events(), "test-1.events");
        let all = t.all();
        for (i, a) in all.iter().enumerate() {
            assert!(a.starts_with(t.prefix()));
            assert!(all[i + 1..].iter().all(|b| a != b));
        }
        assert_eq!(Topics::default().jobs(), "abstat.jobs");
    }

    #[test]
    fn illegal_prefixes_are_refused_with_the_reason() {
        let e = Topics::new("my topics/").unwrap_err();
        assert!(e.to_string().contains("' '"), "{e}");
        let e = Topics::new(&"a".repeat(240)).unwrap_err();
        assert!(e.to_string().contains("at most 239"), "{e}");
        assert!(Topics::new(&"a".repeat(239)).is_ok());
        assert!(Topics::new("").is_ok());
    }
}
