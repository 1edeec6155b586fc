"""The Python peer of benches/kafka.rs: confluent-kafka (librdkafka 2.12,
as in rdkafka 0.39) doing the same per-message work against the same broker
(ABSTAT_TEST_KAFKA): batches of 500 JSON job messages produced with
acks=all and idempotence, all in flight before one flush; and batches of 100
received and committed synchronously one by one (the at-least-once idiom
with enable.auto.commit=false), each on topics of its own. Prints the medians and the ratio to criterion's
estimates (run `cargo bench --bench kafka` first)."""

import json
import os
import statistics
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import rust_seconds  # noqa: E402

SUBMIT_BATCH = 500
DRAIN_BATCH = 100
ROUNDS = 10
brokers = os.environ.get("ABSTAT_TEST_KAFKA")
if not brokers:
    sys.exit("ABSTAT_TEST_KAFKA is not set: run `scripts/services.sh start kafka` and `source target/services/env`")

prefix = f"bench-py-{time.time_ns()}."
submit_topic, drain_topic = prefix + "submit.jobs", prefix + "drain.jobs"
admin = AdminClient({"bootstrap.servers": brokers})
new = [NewTopic(t, num_partitions=6, replication_factor=1) for t in (submit_topic, drain_topic)]
for f in admin.create_topics(new).values():
    f.result()

producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "acks": "all"})
consumer = Consumer({
    "bootstrap.servers": brokers,
    "group.id": prefix + "workers",
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "auto.offset.reset": "earliest",
})
consumer.subscribe([drain_topic])
counter = 0


def submit_batch(topic, n):
    global counter
    failures = []
    for i in range(counter, counter + n):
        msg = {"job_id": f"bench-{i:08}", "kind": "stat_test", "owner_id": "bench",
               "attempt": 1, "submitted_at_ms": int(time.time() * 1000)}
        producer.produce(topic, key=msg["job_id"], value=json.dumps(msg).encode(),
                         on_delivery=lambda err, _m: err and failures.append(err))
        producer.poll(0)
    producer.flush(30)
    assert not failures, failures
    counter += n


def drain():
    got = 0
    while got < DRAIN_BATCH:
        m = consumer.poll(30)
        assert m is not None, f"only {got} of {DRAIN_BATCH} records within 30 s"
        if m.error():
            raise RuntimeError(m.error())
        json.loads(m.value())
        consumer.commit(message=m, asynchronous=False)
        got += 1


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


submit_batch(submit_topic, SUBMIT_BATCH)  # warm-up, as criterion's
submit_times = [timed(lambda: submit_batch(submit_topic, SUBMIT_BATCH)) for _ in range(ROUNDS)]
submit_batch(drain_topic, DRAIN_BATCH)
drain()  # warm-up: joins the group
drain_times = []
for _ in range(ROUNDS):
    submit_batch(drain_topic, DRAIN_BATCH)
    drain_times.append(timed(drain))
consumer.close()
admin.delete_topics([submit_topic, drain_topic])

print(f"{'benchmark':40} {'confluent-kafka':>16} {'abstat':>12} {'speed-up':>9}")
for name, times in [("submit_500", submit_times),
                    ("submit_batch_500", submit_times),
                    ("receive_complete_100_1_tasks", drain_times),
                    ("receive_complete_100_8_tasks", drain_times)]:
    py = statistics.median(times)
    rs = rust_seconds("kafka", name)
    rs_txt = f"{rs * 1e3:9.1f} ms" if rs else "     (none)"
    ratio = f"{py / rs:8.2f}x" if rs else "        -"
    print(f"{'kafka/' + name:40} {py * 1e3:13.1f} ms {rs_txt} {ratio}")
print("(both submit rows compare with the same peer: 500 produce() calls and one flush)")
print("(the 8-task row compares abstat's eight concurrent workers with the one-by-one peer)")
