# Sourced by the CLI tests: counting checks and a JSON assertion, with Debian's Python.
PY=/usr/bin/python3
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
json_has() {  # json, python expression over `j`
  printf '%s' "$1" | $PY -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($2) else 1)"
}
# Prints the tally and fails unless every check passed: `finish NAME`.
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}
