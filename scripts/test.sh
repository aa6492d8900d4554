#!/usr/bin/env bash
# The whole test suite, as CI and a newcomer run it (`npm test`):
# lint and types, the workspace's build and component tests, unit tests, then the database, end-to-end
# and browser tests once on SQLite and once on MariaDB.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-deps.sh || { echo "could not install the test dependencies"; exit 1; }

out=$(mktemp -d)
status=0
step() { # name, command...
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$out/$(echo "$name" | tr ' /' '__').log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { echo "== $name FAILED (exit $rc)"; status=1; }
}

step lint npx eslint .
step types npx tsc -p tsconfig.json --noEmit
step "web types" npx vue-tsc -p src/workspace/tsconfig.json
step "web build" npx tsx scripts/build-workspace.ts
step "web unit" env NO_COLOR=1 npx vitest run --config src/workspace/vitest.config.ts
step unit npx mocha 'test/unit/**/*.test.ts'
step harness npx mocha 'test/harness/**/*.test.ts'
for db in sqlite mariadb; do
  [ -n "$(ls test/db/*.test.ts 2>/dev/null)" ] && step "db $db" env TEST_DB=$db npx mocha 'test/db/**/*.test.ts'
  [ -n "$(ls test/e2e/*.test.ts 2>/dev/null)" ] && step "e2e $db" env TEST_DB=$db npx mocha 'test/e2e/**/*.test.ts'
  [ -n "$(ls test/browser/*.test.ts 2>/dev/null)" ] && step "browser $db" env TEST_DB=$db npx mocha 'test/browser/**/*.test.ts'
done

passed=0; failed=0; skipped=0
for f in "$out"/*.log; do
  p=$(grep -Eo '^ +[0-9]+ passing' "$f" | grep -Eo '[0-9]+' | tail -1); passed=$((passed + ${p:-0}))
  x=$(grep -Eo '^ +[0-9]+ failing' "$f" | grep -Eo '[0-9]+' | tail -1); failed=$((failed + ${x:-0}))
  s=$(grep -Eo '^ +[0-9]+ pending' "$f" | grep -Eo '[0-9]+' | tail -1); skipped=$((skipped + ${s:-0}))
  # vitest: "      Tests  4 passed | 1 failed (5)"
  v=$(grep -E '^ +Tests +[0-9]' "$f" | tail -1)
  if [ -n "$v" ]; then
    p=$(echo "$v" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+'); passed=$((passed + ${p:-0}))
    x=$(echo "$v" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+'); failed=$((failed + ${x:-0}))
    s=$(echo "$v" | grep -Eo '[0-9]+ skipped' | grep -Eo '[0-9]+'); skipped=$((skipped + ${s:-0}))
  fi
done
# The failures again at the end, where a CI log's tail shows them: mocha's numbered failures, vitest's FAIL lines.
if [ "$status" != 0 ] || [ "$failed" -gt 0 ]; then
  echo "== failures"
  for f in "$out"/*.log; do
    if grep -Eq '^ +[0-9]+ failing|^ FAIL | FAILED' "$f"; then
      echo "-- $(basename "$f" .log)"
      sed -n '/^ *[0-9]\+ failing/,$p' "$f" | head -80
      grep -E '^ FAIL ' "$f" | head -20
    fi
  done
fi
rm -rf "$out"
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
