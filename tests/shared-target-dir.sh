#!/usr/bin/env bash
# Two clones, one CARGO_TARGET_DIR: every gate run in the second clone must act
# on the second clone's files, even when cargo reuses binaries built in the
# first. Run by .ci/run after the tests (it reuses their target dir);
# by hand: bash tests/shared-target-dir.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never
work=$(mktemp -d)
# Cargo decides a path package's freshness by mtime, across clones alike: once
# B's changed spec is built, this checkout's older spec would look built too,
# and etna-mock here would embed B's. Touching this checkout's spec on the way
# out makes its next build copy its own spec again.
trap 'rm -rf "$work"; touch "$root/openapi/etna-trader.yaml"' EXIT
failures=0
passes=0
pass() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# Both clones' files are dated a day back, older than any build in this
# target dir, so cargo considers the binaries already built here (by this
# checkout's `cargo test`, or else by A) fresh in A and in B: the setup of the
# bug this script guards against, without building the workspace again.
git clone -q "$root" "$work/a"
git clone -q "$root" "$work/b"
for clone in a b; do
  # The linters' node_modules, when this checkout has them, so that lint and
  # docs can run without an npm install per clone.
  if [ -d "$root/tools/spec-lint/node_modules" ]; then
    ln -s "$root/tools/spec-lint/node_modules" "$work/$clone/tools/spec-lint/node_modules"
  fi
done
find "$work/a" "$work/b" -path '*/.git' -prune -o -exec touch -h -d '-1 day' {} +

# Every build is `cargo build --workspace --tests`: the selection of `cargo
# test --workspace`, so its features, and a target dir that test run filled
# is reused. It builds the xtask binary too (xtask has an integration test);
# the gates run that binary, as `.ci/run` does. (`cargo xtask`, i.e. `cargo
# run -p xtask`, resolves features for xtask alone and would build ~50
# dependencies a second time.)
build() { cargo build --workspace --tests 2>&1; }
xtask() { "$CARGO_TARGET_DIR/debug/xtask" "$@"; }
freshness() {
  cargo test -q --workspace --tests -- --exact codegen::generated_files_match_the_spec >/dev/null 2>&1
}

# A: build and run every gate on an unchanged clone; all pass.
cd "$work/a"
build >/dev/null || fail "A: build"
xtask codegen --check >/dev/null && pass "A: codegen --check passes" || fail "A: codegen --check"
freshness && pass "A: freshness test passes" || fail "A: freshness test"
[ "$(xtask drift 2>/dev/null)" = "no changes" ] && pass "A: drift sees no change" || fail "A: drift"

# B: drop the first operation's summary. The generated doc comments change
# (codegen stale), a workspace lint rule fails, drift sees a change, and the
# rendered page lacks the summary.
cd "$work/b"
summary=$(grep -m1 '^      summary: ' openapi/etna-trader.yaml | sed 's/^      summary: //')
sed -i "0,/^      summary: /{/^      summary: /d}" openapi/etna-trader.yaml

out=$(build) || fail "B: build"
grep -q "Compiling xtask" <<<"$out" && echo "note: cargo rebuilt xtask in B; the reuse this guards against did not happen"
xtask codegen --check >/dev/null 2>&1 && fail "B: codegen --check passed on a stale clone" || pass "B: codegen --check fails"
freshness && fail "B: freshness test passed on a stale clone" || pass "B: freshness test fails"
out=$(xtask lint 2>&1 || true)
grep -q "workspace rules: clean" <<<"$out" && fail "B: lint read another clone's spec" || pass "B: lint reads B's spec"
out=$(xtask drift 2>/dev/null || true)
[ "$out" != "no changes" ] && pass "B: drift sees B's change" || fail "B: drift saw no change"
if [ -d "$root/tools/spec-lint/node_modules" ]; then
  rm -f "$work/a/target/api-docs/etna-trader.html"
  if xtask docs >/dev/null 2>&1 && [ -f target/api-docs/etna-trader.html ] \
     && ! grep -qF "$summary" target/api-docs/etna-trader.html; then
    pass "B: docs renders B's spec into B"
  else
    fail "B: docs"
  fi
elif [ "${CI:-}" = true ]; then
  fail "B: docs not checked: tools/spec-lint/node_modules is missing (run cargo xtask lint first)"
else
  echo "skipped: docs (no tools/spec-lint/node_modules; run cargo xtask lint once)"
fi

echo "shared target dir: $passes checks passed, $failures failed"
exit $((failures > 0))
