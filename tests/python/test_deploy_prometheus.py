"""Prometheus, from Debian's package, scraping real abstat processes with the
repository's scrape configuration and rules: `abstat serve` (API only),
two `abstat worker`s on the real Kafka, and `abstat bot` talking to the Bot API
emulator. Real traffic goes through all of them, then every PromQL expression
of every dashboard and every recording/alerting rule is evaluated through
Prometheus' HTTP API: each must parse and return data, and every metric it
names must be one the processes really emit.

Needs: the `abstat` and `abstat-tg-emulator` binaries built by `cargo test
--workspace --all-features` (found in $CARGO_TARGET_DIR, else ./target), the
Kafka of scripts/services.sh (ABSTAT_TEST_KAFKA), and `prometheus` on PATH
(scripts/setup.sh installs it). A missing piece fails the test: nothing here
is skipped."""

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
BOT_TOKEN = "123456789:prometheus-test-token"
SERVICE_TOKEN = "prometheus-test-service-token-0123456789"
# A Telegram user id that cannot turn up by chance in a log line.
TELEGRAM_USER = 7301946285
SCRAPE_SECONDS = 1
# Grafana's $__rate_interval is at least four scrape intervals.
RATE_INTERVAL = "30s"


def _binary(name):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    path = os.path.join(target, "debug", name)
    assert os.path.exists(path), f"{path} missing: build it with `cargo test --workspace --all-features` first"
    return path


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method, url, body=None, headers=None, timeout=60):
    data = None
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif body is not None:
        data = body
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, raw
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _tail(path, chars=3000):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()[-chars:]


def _wait_http(url, what, proc, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode} before answering {url}:\n"
                                 + _tail(proc.log_path))
        try:
            status, _ = _http("GET", url, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not answer {url} within {timeout} s:\n" + _tail(proc.log_path))


class Processes:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []

    def start(self, name, args, env):
        path = os.path.join(self.tmp, f"{name}.log")
        log = open(path, "wb")
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = path
        self.procs.append((name, proc, log))
        return proc

    def log(self, name):
        with open(os.path.join(self.tmp, f"{name}.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        for _, proc, _ in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc, log in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    kafka = os.environ.get("ABSTAT_TEST_KAFKA")
    assert kafka, "ABSTAT_TEST_KAFKA is not set: start Kafka with scripts/services.sh (scripts/test.sh does)"
    prometheus = shutil.which("prometheus")
    assert prometheus, "prometheus is not installed: scripts/setup.sh installs Debian's package"
    abstat = _binary("abstat")
    emulator_bin = _binary("abstat-tg-emulator")
    tmp = str(tmp_path_factory.mktemp("deploy-prometheus"))
    data_dir = os.path.join(tmp, "data")
    os.makedirs(data_dir)
    ports = {name: _free_port() for name in ("api", "worker1", "worker2", "bot", "emulator", "prometheus")}
    procs = Processes(tmp)

    base = {k: v for k, v in os.environ.items() if not k.startswith(("ABSTAT_", "TELEGRAM_"))}
    base.update({
        "ABSTAT_DEV": "1",
        "ABSTAT_DATA_DIR": data_dir,
        "ABSTAT_LOG_FORMAT": "json",
        "ABSTAT_KAFKA_BROKERS": kafka,
        "ABSTAT_KAFKA_TOPIC_PREFIX": f"prom-{uuid.uuid4().hex[:8]}.",
        "ABSTAT_BOT_SERVICE_TOKEN": SERVICE_TOKEN,
        "RUST_LOG": "info",
    })
    api_url = f"http://127.0.0.1:{ports['api']}"
    try:
        emu = procs.start("emulator", [emulator_bin, "--port", str(ports["emulator"])],
                          dict(base, TELEGRAM_BOT_TOKEN=BOT_TOKEN))
        emulator_url = f"http://127.0.0.1:{ports['emulator']}"
        _wait_http(f"{emulator_url}/control/webhook", "the Bot API emulator", emu)

        api = procs.start("api", [abstat, "serve"],
                          dict(base, ABSTAT_HTTP_ADDR=f"127.0.0.1:{ports['api']}", ABSTAT_WORKER_TASKS="0"))
        _wait_http(f"{api_url}/readyz", "abstat serve", api)
        for i in (1, 2):
            w = procs.start(f"worker{i}", [abstat, "worker"],
                            dict(base, ABSTAT_WORKER_TASKS="2",
                                 ABSTAT_WORKER_METRICS_ADDR=f"127.0.0.1:{ports[f'worker{i}']}"))
            _wait_http(f"http://127.0.0.1:{ports[f'worker{i}']}/metrics", f"abstat worker {i}", w)
        bot = procs.start("bot", [abstat, "bot"],
                          dict(base, TELEGRAM_BOT_TOKEN=BOT_TOKEN, ABSTAT_TELEGRAM_API_URL=emulator_url,
                               ABSTAT_SERVER_URL=api_url,
                               ABSTAT_BOT_METRICS_ADDR=f"127.0.0.1:{ports['bot']}"))
        _wait_http(f"http://127.0.0.1:{ports['bot']}/metrics", "abstat bot", bot)

        # The repository's scrape configuration, with each job's targets
        # pointed at the processes above and a 1 s interval.
        cfg = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "prometheus.yml"), encoding="utf-8"))
        cfg["global"]["scrape_interval"] = f"{SCRAPE_SECONDS}s"
        cfg["global"]["scrape_timeout"] = f"{SCRAPE_SECONDS}s"
        cfg["global"]["evaluation_interval"] = f"{SCRAPE_SECONDS}s"
        # The repository's rules, with every group evaluated each second so
        # recording rules have samples within the test's time.
        rules = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "alerts.yml"), encoding="utf-8"))
        for group in rules["groups"]:
            group["interval"] = f"{SCRAPE_SECONDS}s"
        rules_file = os.path.join(tmp, "alerts.yml")
        with open(rules_file, "w", encoding="utf-8") as f:
            yaml.safe_dump(rules, f)
        cfg["rule_files"] = [rules_file]
        targets = {
            "abstat-api": [f"127.0.0.1:{ports['api']}"],
            "abstat-worker": [f"127.0.0.1:{ports['worker1']}", f"127.0.0.1:{ports['worker2']}"],
            "abstat-bot": [f"127.0.0.1:{ports['bot']}"],
            "prometheus": [f"127.0.0.1:{ports['prometheus']}"],
        }
        for job in cfg["scrape_configs"]:
            assert job["job_name"] in targets, f"unexpected scrape job {job['job_name']}"
            job.pop("dns_sd_configs", None)
            labels = (job.get("static_configs") or [{}])[0].get("labels", {})
            job["static_configs"] = [{"targets": targets[job["job_name"]], "labels": labels}]
        prom_cfg = os.path.join(tmp, "prometheus.yml")
        with open(prom_cfg, "w", encoding="utf-8") as f:
            yaml.safe_dump(cfg, f)
        prom = procs.start("prometheus", [
            prometheus, f"--config.file={prom_cfg}", f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{ports['prometheus']}", "--log.level=warn"], base)
        prom_url = f"http://127.0.0.1:{ports['prometheus']}"
        _wait_http(f"{prom_url}/-/ready", "prometheus", prom)

        yield {"abstat": abstat, "env": base, "api": api_url, "emulator": emulator_url,
               "prometheus": prom_url, "procs": procs, "ports": ports}
    finally:
        procs.stop()


def _drive_traffic(stack):
    """What a day of use looks like, in miniature: a user, an upload, analyses
    (one repeated, so the cache answers), client mistakes, and a bot chat."""
    env = stack["env"]
    subprocess.run([stack["abstat"], "user", "add", "alice", "--password-stdin"], input=b"correct horse battery\n",
                   env=env, check=True, capture_output=True)
    status, raw = _http("POST", f"{stack['api']}/auth/token/", {"username": "alice", "password": "correct horse battery"})
    assert status == 200, raw
    auth = {"Authorization": f"Bearer {json.loads(raw)['access']}"}
    rows = ["variant,revenue,converted"] + [
        f"{'AB'[i % 2]},{(i * 37) % 101 / 10 + (0.5 if i % 2 else 0)},{int((i * 13) % 7 == 0)}" for i in range(400)]
    status, raw = _http("POST", f"{stack['api']}/datasets/upload/?name=shop.csv", "\n".join(rows).encode(),
                        dict(auth, **{"Content-Type": "text/csv"}))
    assert status in (200, 201), raw
    dataset_id = json.loads(raw)["dataset"]["id"]
    ab = {"dataset_id": dataset_id, "variant_column": "variant", "control": "A",
          "metrics": [{"column": "revenue", "kind": "mean"}]}
    for _ in range(2):
        status, raw = _http("POST", f"{stack['api']}/ab-tests/run/?wait=60", ab, auth)
        assert status == 200, raw
    test = {"dataset_id": dataset_id, "test": "ttest_ind", "column": "revenue", "group_column": "variant"}
    assert _http("POST", f"{stack['api']}/analytics/stat-tests/?wait=60", test, auth)[0] == 200
    for _ in range(5):
        assert _http("GET", f"{stack['api']}/datasets/list/", headers=auth)[0] == 200
    assert _http("GET", f"{stack['api']}/datasets/00000000-0000-0000-0000-000000000000/", headers=auth)[0] == 404
    bad = dict(ab, metrics=[{"column": "no_such_column", "kind": "mean"}])
    assert _http("POST", f"{stack['api']}/ab-tests/run/", bad, auth)[0] == 422

    emu = stack["emulator"]
    for text in ("/start", "/help", "/datasets"):
        status, raw = _http("POST", f"{emu}/control/users/{TELEGRAM_USER}/text", {"text": text, "language_code": "ru"})
        assert status in (200, 201), raw
    status, raw = _http("POST", f"{emu}/control/users/{TELEGRAM_USER}/document?file_name=shop.csv&language_code=ru",
                        "\n".join(rows).encode(), {"Content-Type": "text/csv"})
    assert status in (200, 201), raw
    # The bot answers each of them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, raw = _http("GET", f"{emu}/control/chats/{TELEGRAM_USER}/events?after=0")
        if status == 200 and len(json.loads(raw)) >= 4:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the bot did not answer the emulator's messages:\n" + stack["procs"].log("bot")[-3000:])


def _query(stack, expr):
    url = f"{stack['prometheus']}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, raw = _http("GET", url)
    body = json.loads(raw)
    assert status == 200 and body["status"] == "success", f"{expr!r}: {body.get('error', raw[:500])}"
    return body["data"]["result"]


def _dashboard_expressions():
    out = []
    folder = os.path.join(DEPLOY, "grafana", "dashboards")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            dash = json.load(f)
        for panel in dash["panels"]:
            if panel["datasource"]["type"] != "prometheus":
                continue
            for t in panel["targets"]:
                out.append((f"{dash['title']} / {panel['title']}", t["expr"].replace("$__rate_interval", RATE_INTERVAL)))
    return out


def _rules():
    rules = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "alerts.yml"), encoding="utf-8"))
    return [r for g in rules["groups"] for r in g["rules"]]


_COMPARISON = re.compile(r"^(?P<lhs>.*?)\s*(?:==|!=|>=|<=|>|<)\s*-?[0-9.]+(?:e-?[0-9]+)?\s*$", re.S)
_KEYWORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "or", "vector", "clamp_min", "changes",
             "le", "without", "on", "ignoring", "and", "unless", "count", "max", "min", "avg", "bool"}


def _metric_names(expr):
    """The metric names an expression reads (identifiers followed by a `{`,
    a `[` or standing alone), recorded rules excluded."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)      # drop string literals
    expr = re.sub(r"\{[^}]*\}", "{}", expr)                # and label matchers
    names = set(re.findall(r"(?<![a-zA-Z0-9_:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:])(?!\s*\()", expr))
    return {n for n in names if n not in _KEYWORDS and ":" not in n and not n.isdigit()
            and n not in ("route", "kind", "status", "command", "backend", "job", "instance", "result")}


def _recorded_names(expr):
    """The recording-rule names (`level:metric:operations`) an expression reads."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*(?::[a-zA-Z0-9_]+)+", expr))


def test_every_expression_returns_data_from_real_processes(stack):
    _drive_traffic(stack)
    # Every target up, and long enough for rates over 30 s and the 1 s rules.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        up = _query(stack, 'up{job=~"abstat-.*"}')
        if len(up) == 4 and all(r["value"][1] == "1" for r in up):
            break
        time.sleep(1)
    else:
        raise AssertionError(f"not every abstat target is up: {up}")
    time.sleep(20)

    emitted = set(json.loads(_http("GET", f"{stack['prometheus']}/api/v1/label/__name__/values")[1])["data"])
    recorded = {r["record"] for r in _rules() if "record" in r}
    problems = []

    for where, expr in _dashboard_expressions():
        for name in _metric_names(expr):
            if name not in emitted:
                problems.append(f"{where}: {name} is not emitted by any process")
        for name in _recorded_names(expr):
            if name not in recorded:
                problems.append(f"{where}: {name} is not recorded by any rule in alerts.yml")
        try:
            if not _query(stack, expr):
                problems.append(f"{where}: no data for {expr}")
        except AssertionError as e:
            problems.append(f"{where}: {e}")

    for rule in _rules():
        name = rule.get("record") or rule.get("alert")
        expr = rule["expr"].strip()
        for metric in _metric_names(expr):
            if metric not in emitted:
                problems.append(f"rule {name}: {metric} is not emitted by any process")
        try:
            if "record" in rule:
                if not _query(stack, expr):
                    problems.append(f"rule {name}: no data")
                elif not _query(stack, rule["record"]):
                    problems.append(f"rule {name}: Prometheus has not recorded it")
            else:
                _query(stack, expr)  # parses and runs; quiet alerts return nothing
                lhs = _COMPARISON.match(expr)
                assert lhs, f"alert {name}: expected `<series> <op> <threshold>`"
                if not _query(stack, lhs.group("lhs")):
                    problems.append(f"alert {name}: its series {lhs.group('lhs')!r} has no data")
        except AssertionError as e:
            problems.append(f"rule {name}: {e}")

    # Prometheus itself evaluated every rule without error.
    status, raw = _http("GET", f"{stack['prometheus']}/api/v1/rules")
    for group in json.loads(raw)["data"]["groups"]:
        for rule in group["rules"]:
            if rule.get("health") != "ok":
                problems.append(f"Prometheus reports rule {rule['name']}: {rule.get('health')} {rule.get('lastError', '')}")

    assert not problems, "\n".join(problems)


def test_the_jobs_ran_on_the_workers(stack):
    """The job metrics come from the worker processes, not from the API."""
    result = _query(stack, 'sum by (job) (abstat_jobs_total{status="succeeded"})')
    by_job = {r["metric"]["job"]: float(r["value"][1]) for r in result}
    assert by_job.get("abstat-worker", 0) >= 2, by_job
    assert by_job.get("abstat-api", 0) == 0, by_job


def test_healthchecks_of_the_compose_file_work(stack):
    """The compose health checks run `abstat probe URL`: it succeeds against a
    live process and fails against a dead port."""
    ports = stack["ports"]
    for url in (f"{stack['api']}/readyz", f"http://127.0.0.1:{ports['worker1']}/healthz",
                f"http://127.0.0.1:{ports['bot']}/healthz"):
        ok = subprocess.run([stack["abstat"], "probe", url], capture_output=True, text=True)
        assert ok.returncode == 0, f"{url}: {ok.stderr}"
    dead = subprocess.run([stack["abstat"], "probe", f"http://127.0.0.1:{_free_port()}/healthz"],
                          capture_output=True, text=True)
    assert dead.returncode != 0
    assert "127.0.0.1" in dead.stderr


def _json_lines(procs, name):
    lines = [json.loads(line) for line in procs.log(name).splitlines() if line.startswith("{")]
    assert lines, f"{name} wrote no JSON log lines"
    return lines


def test_logs_are_json_with_request_and_job_ids(stack):
    """The API echoes the caller's request id and logs it with the hashed
    user; workers log the job id; the bot logs a hashed user; no log line
    holds a user name or a Telegram id."""
    status, raw = _http("POST", f"{stack['api']}/auth/token/",
                        {"username": "alice", "password": "correct horse battery"})
    assert status == 200, raw
    auth = {"Authorization": f"Bearer {json.loads(raw)['access']}", "x-request-id": "trace-prom-1"}
    req = urllib.request.Request(f"{stack['api']}/datasets/list/", headers=auth)
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.headers["x-request-id"] == "trace-prom-1"
    procs = stack["procs"]
    deadline = time.monotonic() + 10
    while True:
        api = [line for line in _json_lines(procs, "api")
               if line.get("span", {}).get("request_id") == "trace-prom-1"]
        if api or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert api, "the API logged nothing under the caller's request id"
    user = api[-1]["span"].get("user")
    assert user and re.fullmatch(r"[0-9a-f]{16}", user), api[-1]

    jobs = [line for line in _json_lines(procs, "worker1") + _json_lines(procs, "worker2")
            if line.get("span", {}).get("job_id")]
    assert jobs, "no worker log line carries job_id"
    assert any(line["span"].get("user") == user for line in jobs), "the jobs' user tag differs from the API's"

    bot = [line for line in _json_lines(procs, "bot") if line.get("span", {}).get("user")]
    assert bot, "no bot log line carries the hashed user"
    for name in ("api", "worker1", "worker2", "bot"):
        text = procs.log(name)
        assert str(TELEGRAM_USER) not in text, f"{name} logged the Telegram id"
        assert '"alice"' not in text, f"{name} logged the user name"


# The dashboards module is loaded only to make sure the live test and the
# structural test read the same panel list.
def test_dashboard_source_matches_files():
    spec = importlib.util.spec_from_file_location("dashboards", os.path.join(DEPLOY, "grafana", "dashboards.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert len(_dashboard_expressions()) == sum(
        len(p[2]) for _, _, panels, _ in mod.DASHBOARDS for p in panels)
