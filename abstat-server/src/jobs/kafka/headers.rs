//! The record headers abstat writes on the job topics. Values are UTF-8
//! text (numbers in decimal), so `kafka-console-consumer
//! --property print.headers=true` shows them as they are.

use rdkafka::message::{Header, Headers, OwnedHeaders};

/// On the retry topic: do not deliver before this time (ms since the Unix
/// epoch).
pub const NOT_BEFORE_MS: &str = "abstat-not-before-ms";
/// Why the job was retried or dead-lettered.
pub const REASON: &str = "abstat-reason";
/// The delivery attempt that failed.
pub const ATTEMPT: &str = "abstat-attempt";
/// Topic of the record that was retried or dead-lettered.
pub const ORIGINAL_TOPIC: &str = "abstat-original-topic";
/// Its partition.
pub const ORIGINAL_PARTITION: &str = "abstat-original-partition";
/// Its offset.
pub const ORIGINAL_OFFSET: &str = "abstat-original-offset";

/// Builds a header list from `(name, value)` pairs.
pub(crate) fn build(pairs: &[(&str, String)]) -> OwnedHeaders {
    pairs
        .iter()
        .fold(OwnedHeaders::new_with_capacity(pairs.len()), |h, (k, v)| {
            h.insert(Header {
                key: k,
                value: Some(v.as_bytes()),
            })
        })
}

/// The last value of header `name`, as text.
pub fn get<'a>(headers: Option<&'a impl Headers>, name: &str) -> Option<&'a str> {
    let headers = headers?;
    headers
        .iter()
        .filter(|h| h.key == name)
        .filter_map(|h| h.value.and_then(|v| std::str::from_utf8(v).ok()))
        .last()
}

/// The headers naming where a record came from.
pub(crate) fn origin(topic: &str, partition: i32, offset: i64) -> [(&'static str, String); 3] {
    [
        (ORIGINAL_TOPIC, topic.to_string()),
        (ORIGINAL_PARTITION, partition.to_string()),
        (ORIGINAL_OFFSET, offset.to_string()),
    ]
}
