//! # abstat-process-metrics
//!
//! The process series every Prometheus client library exports, for the
//! `abstat` processes (`serve`, `worker`, `bot`), on the workspace's
//! prometheus-client 0.25 (`kubert-prometheus-process` needs 0.23):
//!
//! | series | type | source |
//! |---|---|---|
//! | `process_cpu_seconds_total` | counter | `/proc/self/stat` utime + stime |
//! | `process_resident_memory_bytes` | gauge | `/proc/self/status` `VmRSS` |
//! | `process_virtual_memory_bytes` | gauge | `/proc/self/status` `VmSize` |
//! | `process_open_fds` | gauge | entries of `/proc/self/fd` |
//! | `process_max_fds` | gauge | `/proc/self/limits` "Max open files" (soft) |
//! | `process_start_time_seconds` | gauge | `/proc/stat` `btime` + `/proc/self/stat` starttime |
//!
//! Names and meanings follow the Prometheus client guidelines
//! (<https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics>),
//! read the way the Go client's `procfs` does.
//!
//! **Linux only.** Elsewhere `/proc` does not exist: the collector then
//! writes nothing (no series, no error), and the dashboards' Services row
//! stays empty.
//!
//! ```
//! use prometheus_client::registry::Registry;
//! let mut registry = Registry::default(); // no prefix: the names are standard
//! registry.register_collector(Box::new(abstat_process_metrics::ProcessCollector::new()));
//! let mut text = String::new();
//! prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
//! # #[cfg(target_os = "linux")]
//! assert!(text.contains("process_resident_memory_bytes "));
//! ```

use std::path::{Path, PathBuf};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Clock ticks per second of the times in `/proc/<pid>/stat`. The kernel
/// exports them in USER_HZ, which is 100 on every Linux architecture
/// (`man 5 proc`, "(14) utime … measured in clock ticks (divide by
/// sysconf(_SC_CLK_TCK))"; the Go `procfs` package hard-codes the same 100).
const USER_HZ: f64 = 100.0;

/// One reading of the process' resources.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProcessStats {
    /// User + system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Resident set size, in bytes.
    pub resident_memory_bytes: u64,
    /// Virtual memory size, in bytes.
    pub virtual_memory_bytes: u64,
    /// Open file descriptors.
    pub open_fds: u64,
    /// The soft limit on open file descriptors.
    pub max_fds: u64,
    /// Start of the process, in seconds since the Unix epoch.
    pub start_time_seconds: f64,
}

impl ProcessStats {
    /// Read the statistics of the process whose `/proc` folder is
    /// `proc_pid` (`/proc/self` for this one), with `/proc/stat` at
    /// `proc_stat`. `None` when a file is missing or not as Linux writes it.
    pub fn read_from(proc_pid: &Path, proc_stat: &Path) -> Option<ProcessStats> {
        let stat = std::fs::read_to_string(proc_pid.join("stat")).ok()?;
        // The command name (field 2) is in parentheses and may hold spaces
        // or parentheses itself: the fields after it start after the last `)`.
        let rest = &stat[stat.rfind(')')? + 1..];
        // rest[0] is field 3 (state), so field n is rest[n - 3].
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |n: usize| fields.get(n - 3)?.parse::<f64>().ok();
        let cpu_seconds = (ticks(14)? + ticks(15)?) / USER_HZ;
        let started_after_boot = ticks(22)? / USER_HZ;

        let status = std::fs::read_to_string(proc_pid.join("status")).ok()?;
        let kib = |key: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(key))?;
            let value = line[key.len()..].trim().trim_end_matches("kB").trim();
            Some(value.parse::<u64>().ok()? * 1024)
        };
        let limits = std::fs::read_to_string(proc_pid.join("limits")).ok()?;
        let max_fds = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))?
            .split_whitespace()
            .nth(3)?;
        // "unlimited" is not a number: report the largest one.
        let max_fds = max_fds.parse().unwrap_or(u64::MAX);
        let open_fds = std::fs::read_dir(proc_pid.join("fd")).ok()?.count() as u64;
        let boot = std::fs::read_to_string(proc_stat).ok()?;
        let btime: f64 = boot
            .lines()
            .find_map(|l| l.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        Some(ProcessStats {
            cpu_seconds,
            resident_memory_bytes: kib("VmRSS:")?,
            virtual_memory_bytes: kib("VmSize:")?,
            open_fds,
            max_fds,
            start_time_seconds: btime + started_after_boot,
        })
    }

    /// This process' statistics (`None` off Linux).
    pub fn current() -> Option<ProcessStats> {
        ProcessStats::read_from(Path::new("/proc/self"), Path::new("/proc/stat"))
    }
}

/// A [`Collector`] that reads [`ProcessStats`] at each scrape. Register it
/// on a registry *without* a prefix: the `process_*` names are the same in
/// every Prometheus client, and dashboards rely on that.
#[derive(Debug, Clone)]
pub struct ProcessCollector {
    proc_pid: PathBuf,
    proc_stat: PathBuf,
}

impl Default for ProcessCollector {
    fn default() -> Self {
        ProcessCollector::new()
    }
}

impl ProcessCollector {
    /// A collector of this process (`/proc/self`).
    pub fn new() -> Self {
        ProcessCollector {
            proc_pid: PathBuf::from("/proc/self"),
            proc_stat: PathBuf::from("/proc/stat"),
        }
    }

    /// A collector reading another `/proc/<pid>` folder and `/proc/stat`
    /// file (tests use copies).
    pub fn at(proc_pid: impl Into<PathBuf>, proc_stat: impl Into<PathBuf>) -> Self {
        ProcessCollector {
            proc_pid: proc_pid.into(),
            proc_stat: proc_stat.into(),
        }
    }
}

fn write(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> Result<(), std::fmt::Error> {
    let m = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(m)
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(s) = ProcessStats::read_from(&self.proc_pid, &self.proc_stat) else {
            return Ok(());
        };
        let e = &mut encoder;
        write(
            e,
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            &ConstCounter::new(s.cpu_seconds),
        )?;
        write(
            e,
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            &ConstGauge::new(s.resident_memory_bytes as f64),
        )?;
        write(
            e,
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes",
            &ConstGauge::new(s.virtual_memory_bytes as f64),
        )?;
        write(
            e,
            "process_open_fds",
            "Number of open file descriptors",
            &ConstGauge::new(s.open_fds as f64),
        )?;
        write(
            e,
            "process_max_fds",
            "Maximum number of open file descriptors",
            &ConstGauge::new(s.max_fds as f64),
        )?;
        write(
            e,
            "process_start_time_seconds",
            "Start time of the process since the Unix epoch in seconds",
            &ConstGauge::new(s.start_time_seconds),
        )
    }
}

/// The OpenMetrics text of `registry` followed by this process' series and
/// the single closing `# EOF`: the whole `/metrics` body of an abstat
/// process. The process series stay unprefixed whatever prefix `registry`
/// has.
pub fn render_with_process(registry: &prometheus_client::registry::Registry) -> String {
    use prometheus_client::encoding::text::{encode_eof, encode_registry};
    let mut process = prometheus_client::registry::Registry::default();
    process.register_collector(Box::new(ProcessCollector::new()));
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode_registry(&mut out, registry);
    let _ = encode_registry(&mut out, &process);
    let _ = encode_eof(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode;
    use prometheus_client::registry::Registry;

    /// A `/proc/<pid>` folder as Linux writes it, with a command name that
    /// holds a space and a parenthesis.
    fn fake_proc(dir: &Path) -> (PathBuf, PathBuf) {
        let pid = dir.join("4242");
        std::fs::create_dir_all(pid.join("fd")).unwrap();
        for fd in ["0", "1", "2"] {
            std::fs::write(pid.join("fd").join(fd), "").unwrap();
        }
        // utime 250 ticks, stime 50 ticks, starttime 12345 ticks after boot.
        std::fs::write(
            pid.join("stat"),
            "4242 (abstat (w) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 9 0 12345 \
             123456789 4000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
        )
        .unwrap();
        std::fs::write(
            pid.join("status"),
            "Name:\tabstat\nVmPeak:\t  999 kB\nVmSize:\t  120560 kB\nVmRSS:\t   16000 kB\nThreads:\t9\n",
        )
        .unwrap();
        std::fs::write(
            pid.join("limits"),
            "Limit                     Soft Limit           Hard Limit           Units     \n\
             Max processes             63619                63619                processes \n\
             Max open files            1024                 524288               files     \n",
        )
        .unwrap();
        let stat = dir.join("stat");
        std::fs::write(&stat, "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n").unwrap();
        (pid, stat)
    }

    #[test]
    fn every_field_is_read_from_the_proc_files() {
        let dir = tempfile::tempdir().unwrap();
        let (pid, stat) = fake_proc(dir.path());
        let s = ProcessStats::read_from(&pid, &stat).unwrap();
        assert_eq!(
            s,
            ProcessStats {
                cpu_seconds: 3.0,
                resident_memory_bytes: 16000 * 1024,
                virtual_memory_bytes: 120560 * 1024,
                open_fds: 3,
                max_fds: 1024,
                start_time_seconds: 1_700_000_000.0 + 123.45,
            }
        );
    }

    #[test]
    fn the_standard_names_render_without_a_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let (pid, stat) = fake_proc(dir.path());
        let mut registry = Registry::default();
        registry.register_collector(Box::new(ProcessCollector::at(pid, stat)));
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        for line in [
            "# TYPE process_cpu_seconds counter",
            "process_cpu_seconds_total 3.0",
            "process_resident_memory_bytes 16384000.0",
            "process_virtual_memory_bytes 123453440.0",
            "process_open_fds 3.0",
            "process_max_fds 1024.0",
            "process_start_time_seconds 1700000123.45",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_prefixed_registry_and_the_process_series_end_with_one_eof() {
        use prometheus_client::metrics::counter::Counter;
        let mut registry = Registry::with_prefix("abstat");
        registry.register("jobs", "Jobs", Counter::<u64>::default());
        let text = render_with_process(&registry);
        assert!(text.contains("abstat_jobs_total 0"), "{text}");
        assert!(text.contains("\nprocess_cpu_seconds_total "), "{text}");
        assert!(!text.contains("abstat_process_"));
        assert_eq!(text.matches("# EOF").count(), 1);
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn a_missing_proc_folder_writes_nothing() {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(ProcessCollector::at(
            "/nonexistent/proc/1",
            "/nonexistent/proc/stat",
        )));
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        assert_eq!(text, "# EOF\n");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_plausible_numbers() {
        let s = ProcessStats::current().unwrap();
        assert!(s.resident_memory_bytes > 0 && s.virtual_memory_bytes >= s.resident_memory_bytes);
        assert!(s.open_fds >= 1 && s.max_fds >= s.open_fds);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        // started before now, and after 2020
        assert!(s.start_time_seconds <= now + 1.0 && s.start_time_seconds > 1_577_836_800.0);
    }
}
