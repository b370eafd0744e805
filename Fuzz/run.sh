#!/usr/bin/env bash
# Builds the HTTP parser fuzzer and runs it for SECONDS with one worker.
#
#   Fuzz/run.sh SECONDS [extra libFuzzer flags...]
#
# Environment:
#   BAHI_FUZZ_SKIP=check,check   silence known findings (see Fuzz/README.md for the names)
#   FUZZ_NO_BUILD=1              reuse Fuzz/bin/http-parser-fuzzer
#   FUZZ_FRESH=1                 start Fuzz/corpus-work from the seeds only
#   FUZZ_MAX_LEN=N               -max_len (default 4096)
#
# Seeds: Fuzz/corpus/http-parser (committed). Work corpus: Fuzz/corpus-work/http-parser.
# Crashes and the run log: Fuzz/artifacts/. All three output folders are git-ignored.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${1:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
    echo "usage: Fuzz/run.sh SECONDS [libFuzzer flags...]" >&2
    exit 2
fi
shift

fuzzer="$here/bin/http-parser-fuzzer"
seeds="$here/corpus/http-parser"
work="$here/corpus-work/http-parser"
artifacts="$here/artifacts"

if [[ "${FUZZ_NO_BUILD:-0}" != 1 || ! -x "$fuzzer" ]]; then
    "$here/build.sh"
fi

[[ "${FUZZ_FRESH:-0}" == 1 ]] && rm -rf "$work"
mkdir -p "$work" "$artifacts"
cp -n "$seeds"/* "$work"/ 2>/dev/null || true

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
log="$artifacts/run-$stamp.log"
marker="$artifacts/.run-$stamp"
touch "$marker"

echo "run: $seconds s, corpus $(ls "$work" | wc -l) files, skip='${BAHI_FUZZ_SKIP:-}', log $log" >&2
started=$SECONDS
set +e
SWIFT_BACKTRACE=enable=no \
ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=0:symbolize=1}" \
"$fuzzer" \
    -max_total_time="$seconds" \
    -max_len="${FUZZ_MAX_LEN:-4096}" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -dict="$here/http.dict" \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    "$@" \
    "$work" > "$log" 2>&1
status=$?
set -e
elapsed=$((SECONDS - started))

# Summary from libFuzzer's final stats and its last status line.
stat() { grep -E "^stat::$1:" "$log" | tail -1 | awk "{print \$2}" || true; }
last="$(grep -E "^#[0-9]+" "$log" | tail -1 || true)"
field() { sed -nE "s/.* $1: ([0-9]+[a-zA-Z]*).*/\1/p" <<<"$last"; }
crashes=()
while IFS= read -r f; do crashes+=("$f"); done < <(find "$artifacts" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$marker" | sort)
rm -f "$marker"

echo
echo "==== fuzz summary ===="
echo "duration:        ${elapsed} s wall (requested ${seconds} s), fuzzer exit status $status"
echo "total execs:     $(stat number_of_executed_units)"
echo "execs/s:         $(stat average_exec_per_sec)"
echo "new units:       $(stat new_units_added)"
echo "peak rss:        $(stat peak_rss_mb) MB"
echo "last status:     $last"
echo "coverage:        cov $(field cov)  ft $(field ft)"
echo "corpus (work):   $(ls "$work" | wc -l) files, $(du -sh "$work" | cut -f1)"
echo "crashes:         ${#crashes[@]}"
for f in "${crashes[@]}"; do echo "  $f"; done
if [[ ${#crashes[@]} -gt 0 ]]; then
    echo
    sed -n '/=== BAHI FUZZ PROPERTY VIOLATION/,/=== end ===/p' "$log" | head -60
    grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error)' "$log" | head -5 || true
    echo "reproduce: SWIFT_BACKTRACE=enable=no $fuzzer ${crashes[0]}"
    echo "minimise:  SWIFT_BACKTRACE=enable=no $fuzzer -minimize_crash=1 -runs=20000 -exact_artifact_path=$artifacts/min ${crashes[0]}"
fi
echo "log:             $log"
exit "$status"
