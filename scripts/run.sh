#!/usr/bin/env bash
# Quick start: install what is missing, build, and run `abstat serve` with the
# embedded defaults (local data dir, SQLite, in-process queue, in-memory cache).
set -euo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

ensure_build_tools
use_target_cache
cd "$ABSTAT_ROOT"

log "building abstat (release; the first build takes several minutes)"
cargo build --release -p abstat-server --bin abstat

export ABSTAT_DATA_DIR="${ABSTAT_DATA_DIR:-$ABSTAT_ROOT/.abstat}"
export ABSTAT_HTTP_ADDR="${ABSTAT_HTTP_ADDR:-127.0.0.1:8080}"
cat <<MSG

  abstat is starting with the embedded defaults.
    API:      http://$ABSTAT_HTTP_ADDR   (try: curl http://$ABSTAT_HTTP_ADDR/healthz)
    docs:     http://$ABSTAT_HTTP_ADDR/docs/   (OpenAPI: /openapi.json)
    data:     $ABSTAT_DATA_DIR
    bot:      off — export TELEGRAM_BOT_TOKEN=<token from @BotFather> and run again to enable it
    settings: $CARGO_TARGET_DIR/release/abstat serve --help
  Dev mode keeps a generated JWT secret in the data dir; set ABSTAT_JWT_SECRET for real use.
  Stop with Ctrl-C.

MSG
exec "$CARGO_TARGET_DIR/release/abstat" serve --dev "$@"
