# Shortcuts for the two commands in README.md.
.PHONY: run test fixtures
run:
	scripts/run.sh
test:
	scripts/test.sh
# Regenerate the reference fixtures from the pinned Python libraries.
fixtures:
	. scripts/setup.sh && ensure_python && for g in scripts/fixtures/gen_*.py; do "$$ABSTAT_PYTHON" "$$g"; done
