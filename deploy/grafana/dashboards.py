#!/usr/bin/env python3
"""Writes the Grafana dashboards in deploy/grafana/dashboards/*.json.

The dashboards are code: every panel is one line below (title, unit, PromQL),
and this script renders Grafana's JSON model from them, so a metric renamed in
the Rust code is renamed here once. `tests/python/test_deploy.py` runs the
script and requires the committed JSON to be identical, and the Prometheus test
evaluates every expression against a running serve + worker + bot.

    python3 deploy/grafana/dashboards.py          # rewrite the JSON files
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
PROM = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
R = "$__rate_interval"

# Panel: (title, unit, [(expr, legend)], kind) — kind is "timeseries" or "stat".
API = [
    ("Requests per second by route", "reqps",
     [(f'sum by (route) (rate(abstat_http_requests_total{{job="abstat-api"}}[{R}]))', "{{route}}")],
     "timeseries"),
    ("Latency p50 by route", "s",
     [(f'histogram_quantile(0.5, sum by (le, route) (rate(abstat_http_request_duration_seconds_bucket{{job="abstat-api"}}[{R}])))', "{{route}}")],
     "timeseries"),
    ("Latency p95 by route", "s",
     [(f'histogram_quantile(0.95, sum by (le, route) (rate(abstat_http_request_duration_seconds_bucket{{job="abstat-api"}}[{R}])))', "{{route}}")],
     "timeseries"),
    ("Latency p99 by route", "s",
     [(f'histogram_quantile(0.99, sum by (le, route) (rate(abstat_http_request_duration_seconds_bucket{{job="abstat-api"}}[{R}])))', "{{route}}")],
     "timeseries"),
    ("Client errors (4xx) per second by status", "reqps",
     [(f'sum by (status) (rate(abstat_http_requests_total{{job="abstat-api", status=~"4.."}}[{R}])) or vector(0)', "{{status}}")],
     "timeseries"),
    ("Server errors (5xx) per second", "reqps",
     [(f'sum(rate(abstat_http_requests_total{{job="abstat-api", status=~"5.."}}[{R}])) or vector(0)', "5xx")],
     "timeseries"),
    ("Share of requests answered with 5xx", "percentunit",
     [("abstat:http_5xx_ratio:rate5m", "5xx share")],
     "stat"),
    ("Requests refused by the rate limit", "reqps",
     [(f'sum(rate(abstat_http_rate_limited_total{{job="abstat-api"}}[{R}]))', "429")],
     "timeseries"),
]

JOBS = [
    ("Jobs finished per second by kind", "ops",
     [(f'sum by (kind) (rate(abstat_jobs_total{{status="succeeded"}}[{R}]))', "{{kind}}")],
     "timeseries"),
    ("Jobs submitted per second by kind", "ops",
     [(f'sum by (kind) (rate(abstat_jobs_total{{status="submitted"}}[{R}]))', "{{kind}}")],
     "timeseries"),
    ("Job failures per second by kind", "ops",
     [(f'sum by (kind) (rate(abstat_jobs_total{{status="failed"}}[{R}]))', "{{kind}}")],
     "timeseries"),
    ("Job duration p50 / p95 by kind", "s",
     [(f'histogram_quantile(0.5, sum by (le, kind) (rate(abstat_job_duration_seconds_bucket[{R}])))', "p50 {{kind}}"),
      (f'histogram_quantile(0.95, sum by (le, kind) (rate(abstat_job_duration_seconds_bucket[{R}])))', "p95 {{kind}}")],
     "timeseries"),
    ("Queue lag (submit to start) p95", "s",
     [("abstat:job_queue_lag_p95:rate5m", "p95")],
     "timeseries"),
    ("Retries by kind (per 5 min)", "short",
     [('sum by (kind) (increase(abstat_job_retries_total[5m]))', "{{kind}}")],
     "timeseries"),
    ("Dead letters by kind (per 5 min)", "short",
     [('sum by (kind) (increase(abstat_job_dead_letters_total[5m]))', "{{kind}}")],
     "timeseries"),
    ("Share of jobs failing", "percentunit",
     [("abstat:job_failure_ratio:rate15m", "failed share")],
     "stat"),
]

BOT = [
    ("Updates per second by kind", "ops",
     [(f'sum by (kind) (rate(abstat_bot_updates_total[{R}]))', "{{kind}}")],
     "timeseries"),
    ("Active users (last 5 min)", "short",
     [("sum(abstat_bot_active_users)", "users")],
     "stat"),
    ("Commands per second", "ops",
     [(f'sum by (command) (rate(abstat_bot_commands_total[{R}]))', "/{{command}}")],
     "timeseries"),
    ("Handling latency p50 / p95 / p99", "s",
     [(f'histogram_quantile(0.5, sum by (le) (rate(abstat_bot_handler_duration_seconds_bucket[{R}])))', "p50"),
      (f'histogram_quantile(0.95, sum by (le) (rate(abstat_bot_handler_duration_seconds_bucket[{R}])))', "p95"),
      (f'histogram_quantile(0.99, sum by (le) (rate(abstat_bot_handler_duration_seconds_bucket[{R}])))', "p99")],
     "timeseries"),
    ("Errors per second by kind", "ops",
     [(f'sum by (kind) (rate(abstat_bot_errors_total[{R}])) or vector(0)', "{{kind}}")],
     "timeseries"),
    ("Calls to the abstat API p95", "s",
     [(f'histogram_quantile(0.95, sum by (le) (rate(abstat_bot_api_request_duration_seconds_bucket[{R}])))', "p95")],
     "timeseries"),
]

DATA = [
    ("Datasets uploaded (per hour)", "short",
     [("sum(increase(abstat_datasets_uploaded_total[1h]))", "datasets")],
     "stat"),
    ("Bytes ingested per second", "Bps",
     [(f'sum(rate(abstat_ingested_bytes_total[{R}]))', "bytes/s")],
     "timeseries"),
    ("Result-cache hit rate", "percentunit",
     [("abstat:cache_hit_ratio:rate5m", "hit rate")],
     "timeseries"),
    ("Dataset store reads p95 by backend", "s",
     [(f'histogram_quantile(0.95, sum by (le, backend) (rate(abstat_dataset_read_duration_seconds_bucket[{R}])))', "{{backend}}")],
     "timeseries"),
]

SERVICES = [
    ("Up", "short",
     [('up{job=~"abstat-.*"}', "{{job}} {{instance}}")],
     "stat"),
    ("Restarts (last hour)", "short",
     [('changes(process_start_time_seconds{job=~"abstat-.*"}[1h])', "{{job}} {{instance}}")],
     "timeseries"),
    ("Resident memory", "bytes",
     [('process_resident_memory_bytes{job=~"abstat-.*"}', "{{job}} {{instance}}")],
     "timeseries"),
    ("CPU", "percentunit",
     [(f'rate(process_cpu_seconds_total{{job=~"abstat-.*"}}[{R}])', "{{job}} {{instance}}")],
     "timeseries"),
]

LOGS = ('{service=~"api|worker|bot"} | json | level=~"WARN|ERROR"', "Warnings and errors")

DASHBOARDS = [
    ("abstat-api", "abstat · API", API, None),
    ("abstat-jobs", "abstat · Jobs", JOBS, None),
    ("abstat-bot", "abstat · Bot", BOT, None),
    ("abstat-data", "abstat · Data", DATA, None),
    ("abstat-services", "abstat · Services", SERVICES, LOGS),
]


def panel(pid: int, title: str, unit: str, targets, kind: str, x: int, y: int) -> dict:
    return {
        "id": pid,
        "type": kind,
        "title": title,
        "datasource": PROM,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {},
        "targets": [
            {"datasource": PROM, "expr": expr, "legendFormat": legend, "refId": chr(ord("A") + i)}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def dashboard(uid: str, title: str, panels, logs) -> dict:
    out = []
    for i, (ptitle, unit, targets, kind) in enumerate(panels):
        out.append(panel(i + 1, ptitle, unit, targets, kind, (i % 2) * 12, (i // 2) * 8))
    if logs is not None:
        expr, ptitle = logs
        out.append({
            "id": len(out) + 1,
            "type": "logs",
            "title": ptitle,
            "datasource": LOKI,
            "gridPos": {"h": 10, "w": 24, "x": 0, "y": ((len(out) + 1) // 2) * 8},
            "options": {"showTime": True, "wrapLogMessage": True},
            "targets": [{"datasource": LOKI, "expr": expr, "refId": "A"}],
        })
    return {
        "uid": uid,
        "title": title,
        "tags": ["abstat"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": out,
    }


def render() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    return {
        f"{uid}.json": json.dumps(dashboard(uid, title, panels, logs), indent=2, ensure_ascii=False) + "\n"
        for uid, title, panels, logs in DASHBOARDS
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
