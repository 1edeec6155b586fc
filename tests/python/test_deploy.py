"""deploy/ checked as files: the compose stack against the Compose
Specification's JSON schema (the one `docker compose config` validates with;
there is no Docker engine here, see deploy/README.md) plus what the stack
promises (health checks, restart policies, volumes, every abstat service
configured by environment), the Dockerfile's shape, the Prometheus rules
through `promtool`, and the Grafana dashboards regenerated from their source.

The live half, Prometheus scraping running abstat processes and evaluating
every expression, is tests/python/test_deploy_prometheus.py."""

import importlib.util
import json
import os
import re
import shutil
import subprocess

import jsonschema
import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
ABSTAT_SERVICES = ("api", "worker", "bot")
DATA_SERVICES = ("postgres", "kafka", "redis", "clickhouse")
MONITORING = ("prometheus", "loki", "promtail", "grafana")


def _yaml(*parts):
    with open(os.path.join(DEPLOY, *parts), encoding="utf-8") as f:
        return yaml.safe_load(f)


def _compose_env():
    """The variables compose would read from deploy/.env (required ones
    fail interpolation when unset, which is the point of `:?`)."""
    env = {}
    with open(os.path.join(DEPLOY, ".env.example"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name = line.split("=", 1)[0]
                env[name] = "test-" + name.lower()
    return env


_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")


def _interpolate(value, env, missing):
    if isinstance(value, str):
        def sub(m):
            name, op, arg = m.group(1), m.group(2), m.group(3)
            if name in env:
                return env[name]
            if op == "?":
                missing.append(name)
                return ""
            return arg or ""
        return _VAR.sub(sub, value)
    if isinstance(value, list):
        return [_interpolate(v, env, missing) for v in value]
    if isinstance(value, dict):
        return {k: _interpolate(v, env, missing) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def compose():
    raw = _yaml("docker-compose.yml")
    missing = []
    resolved = _interpolate(raw, _compose_env(), missing)
    assert not missing, f"required variables missing from deploy/.env.example: {sorted(set(missing))}"
    return resolved


def test_compose_matches_the_compose_specification(compose):
    with open(os.path.join(DEPLOY, "schema", "compose-spec.json"), encoding="utf-8") as f:
        schema = json.load(f)
    # The `x-` extension blocks are merged by YAML anchors already.
    jsonschema.validate({k: v for k, v in compose.items() if not k.startswith("x-")}, schema)


def test_compose_config_when_a_client_is_present(tmp_path):
    """`docker compose config` interpolates and validates like `up` would.
    This machine has only the Docker CLI without the compose plugin and no
    engine; the check runs wherever the plugin exists."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        # Not a skip of the stack checks: the schema test above covers it.
        return
    env = dict(os.environ, **_compose_env())
    out = subprocess.run([docker, "compose", "-f", os.path.join(DEPLOY, "docker-compose.yml"), "config", "-q"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr


def test_the_stack_is_complete(compose):
    services = compose["services"]
    for name in ABSTAT_SERVICES + DATA_SERVICES + MONITORING:
        assert name in services, f"{name} missing from the stack"
    assert services["kafka"]["image"].startswith("apache/kafka:"), "the official Kafka image (KRaft)"
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["api"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    assert services["bot"]["command"] == ["bot"]
    # API only: the workers run the jobs.
    assert services["api"]["environment"]["ABSTAT_WORKER_TASKS"] == "0"


def test_every_service_restarts_and_reports_health(compose):
    for name, svc in compose["services"].items():
        assert svc.get("restart") in ("unless-stopped", "always"), f"{name}: restart policy"
        if name != "promtail":
            assert "healthcheck" in svc, f"{name}: no health check"
            assert svc["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_state_lives_in_volumes(compose):
    declared = set(compose["volumes"])
    for name in ("api", "worker", "postgres", "kafka", "redis", "clickhouse", "prometheus", "loki", "grafana"):
        mounts = compose["services"][name].get("volumes", [])
        named = {m.split(":", 1)[0] for m in mounts if not m.startswith(".") and not m.startswith("/")}
        assert named, f"{name}: no named volume for its data"
        assert named <= declared, f"{name}: undeclared volumes {named - declared}"


def test_abstat_services_are_configured_by_environment(compose):
    for name in ABSTAT_SERVICES:
        env = compose["services"][name]["environment"]
        for var in ("ABSTAT_DATABASE_URL", "ABSTAT_KAFKA_BROKERS", "ABSTAT_REDIS_URL",
                    "ABSTAT_CLICKHOUSE_URL", "ABSTAT_JWT_SECRET", "ABSTAT_BOT_SERVICE_TOKEN",
                    "ABSTAT_LOG_FORMAT"):
            assert env.get(var), f"{name}: {var} not set"
        assert env["ABSTAT_LOG_FORMAT"] == "json"
    assert compose["services"]["worker"]["environment"]["ABSTAT_WORKER_METRICS_ADDR"].endswith(":9187")
    assert compose["services"]["bot"]["environment"]["ABSTAT_BOT_METRICS_ADDR"].endswith(":9188")
    assert compose["services"]["bot"]["environment"]["TELEGRAM_BOT_TOKEN"]


def test_every_variable_the_stack_sets_is_one_abstat_reads(compose):
    """A typo in an ABSTAT_* name would be ignored at run time: every one the
    compose file sets must appear in the server's or the bot's code."""
    used = {var for name in ABSTAT_SERVICES for var in compose["services"][name]["environment"]
            if var.startswith("ABSTAT_")}
    known = ""
    for folder in ("abstat-server/src", "abstat-bot/src"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for fname in files:
                if fname.endswith(".rs"):
                    with open(os.path.join(dirpath, fname), encoding="utf-8") as f:
                        known += f.read()
    unknown = sorted(v for v in used if f'"{v}"' not in known)
    assert not unknown, f"variables abstat does not read: {unknown}"


def test_dockerfile_is_multi_stage_and_runs_as_non_root():
    with open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    stages = re.findall(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", text, flags=re.M | re.I)
    assert len(stages) >= 2, "build and runtime stages"
    assert re.search(r"^FROM debian:\$\{DEBIAN\}-slim", text, flags=re.M), "a slim runtime image"
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
    assert "--features kafka,redis,postgres,clickhouse" in text
    assert "--locked" in text


def test_prometheus_scrapes_every_abstat_process():
    cfg = _yaml("prometheus", "prometheus.yml")
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    assert {"abstat-api", "abstat-worker", "abstat-bot"} <= set(jobs)
    assert jobs["abstat-worker"]["dns_sd_configs"][0]["names"] == ["worker"], "scaled workers are discovered"
    assert cfg["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_promtool_accepts_the_rules_and_config(tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool (Debian's prometheus package) is installed by scripts/setup.sh"
    out = subprocess.run([promtool, "check", "rules", os.path.join(DEPLOY, "prometheus", "alerts.yml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # The config names the rules by their path inside the container.
    cfg = _yaml("prometheus", "prometheus.yml")
    cfg["rule_files"] = [os.path.join(DEPLOY, "prometheus", "alerts.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    out = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_alerts_cover_what_matters():
    rules = _yaml("prometheus", "alerts.yml")
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
    for name in ("AbstatServiceDown", "AbstatApiErrorRate", "AbstatJobFailureRate",
                 "AbstatDeadLetters", "AbstatQueueLag"):
        assert name in alerts, f"alert {name} missing"
        assert alerts[name]["annotations"]["summary"] and alerts[name]["annotations"]["description"]
        assert alerts[name]["labels"]["severity"] in ("critical", "warning")


def _dashboards_module():
    spec = importlib.util.spec_from_file_location("dashboards", os.path.join(DEPLOY, "grafana", "dashboards.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dashboards_are_generated_from_their_source():
    rendered = _dashboards_module().render()
    folder = os.path.join(DEPLOY, "grafana", "dashboards")
    assert sorted(rendered) == sorted(os.listdir(folder)), "stale or missing dashboard files"
    for name, text in rendered.items():
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            assert f.read() == text, f"{name} differs from deploy/grafana/dashboards.py: run it"


def test_dashboards_are_well_formed():
    folder = os.path.join(DEPLOY, "grafana", "dashboards")
    titles = set()
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            dash = json.load(f)
        assert dash["uid"] and dash["title"] and dash["panels"], name
        titles.add(dash["title"])
        ids = [p["id"] for p in dash["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
        for p in dash["panels"]:
            assert p["datasource"]["uid"] in ("prometheus", "loki"), p["title"]
            assert p["targets"] and all(t["expr"].strip() for t in p["targets"]), p["title"]
            g = p["gridPos"]
            assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, p["title"]
    assert titles == {"abstat · API", "abstat · Jobs", "abstat · Bot", "abstat · Data", "abstat · Services"}


def test_grafana_provisioning_points_at_the_stack():
    ds = _yaml("grafana", "provisioning", "datasources", "abstat.yml")
    uids = {d["uid"]: d for d in ds["datasources"]}
    assert uids["prometheus"]["url"] == "http://prometheus:9090"
    assert uids["loki"]["url"] == "http://loki:3100"
    prov = _yaml("grafana", "provisioning", "dashboards", "abstat.yml")
    assert prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_loki_and_promtail_configs_parse():
    loki = _yaml("loki", "loki.yml")
    assert loki["schema_config"]["configs"][0]["store"] == "tsdb"
    promtail = _yaml("loki", "promtail.yml")
    assert promtail["clients"][0]["url"] == "http://loki:3100/loki/api/v1/push"
    stages = promtail["scrape_configs"][0]["pipeline_stages"]
    fields = stages[0]["json"]["expressions"]
    assert {"job_id", "request_id", "user"} <= set(fields), "job, request and user ids reach Loki"
