#!/usr/bin/env bash
# Builds Fuzz/bin/http-parser-fuzzer: BahiHTTP (and the targets it depends on) plus the
# harness, compiled directly by swiftc with libFuzzer + AddressSanitizer instrumentation.
# The root Package.swift is only read (`swift package dump-package`) to learn BahiHTTP's
# dependency graph and Swift settings; a plain `swift build` never sees fuzzer flags.
#
#   Fuzz/build.sh                    optimised (-O) build, the default for fuzzing
#   FUZZ_OPT=-Onone Fuzz/build.sh    unoptimised, clearer stacks when minimising a crash
#
# Everything goes to Fuzz/bin/ (git-ignored). Needs swiftc, swift and jq.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
toolbin="$(dirname "$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)")"
swiftc="${SWIFTC:-$toolbin/swiftc}"
swift="${SWIFT:-$toolbin/swift}"
opt="${FUZZ_OPT:--O}"
bin="$here/bin"
top="${FUZZ_TARGET_MODULE:-BahiHTTP}"
mkdir -p "$bin/modules" "$bin/objects"

# The package description as JSON, resolved in a scratch path of our own so we never take
# the lock on the root .build that other builds may hold.
"$swift" package --package-path "$root" --scratch-path "$bin/spm" dump-package > "$bin/package.json"

# Targets $top needs, dependencies first (depth-first post-order).
order=()
declare -A seen=()
visit() {
    local t="$1"
    [[ -n "${seen[$t]:-}" ]] && return
    seen[$t]=1
    local d
    for d in $(jq -r --arg t "$t" '.targets[] | select(.name==$t) | .dependencies[] | (.byName[0]? // .target[0]? // empty)' "$bin/package.json"); do
        visit "$d"
    done
    order+=("$t")
}
visit "$top"

target_dir() { # Sources/<name> unless the manifest gives a path
    local p
    p="$(jq -r --arg t "$1" '.targets[] | select(.name==$t) | .path // empty' "$bin/package.json")"
    echo "$root/${p:-Sources/$1}"
}

lang="$(jq -r '(.swiftLanguageModes // .swiftLanguageVersions // ["6"]) | map(tostring) | .[0]' "$bin/package.json")"
common=(-swift-version "$lang" "$opt" -g -sanitize=fuzzer,address -parse-as-library -I "$bin/modules")
includes=()
linkflags=()
objects=()

for t in "${order[@]}"; do
    type="$(jq -r --arg t "$t" '.targets[] | select(.name==$t) | .type' "$bin/package.json")"
    dir="$(target_dir "$t")"
    case "$type" in
    system)
        includes+=(-I "$dir")
        pc="$(jq -r --arg t "$t" '.targets[] | select(.name==$t) | .pkgConfig // empty' "$bin/package.json")"
        if [[ -n "$pc" ]]; then
            for f in $(pkg-config --cflags-only-I "$pc" 2>/dev/null); do includes+=(-Xcc "$f"); done
            for f in $(pkg-config --libs "$pc" 2>/dev/null); do linkflags+=("$f"); done
        fi
        ;;
    regular)
        settings=()
        while IFS= read -r s; do [[ -n "$s" ]] && settings+=($s); done < <(jq -r --arg t "$t" '
            .targets[] | select(.name==$t) | .settings[]? | select(.tool=="swift") | .kind |
            if .enableUpcomingFeature then "-enable-upcoming-feature \(.enableUpcomingFeature._0)"
            elif .enableExperimentalFeature then "-enable-experimental-feature \(.enableExperimentalFeature._0)"
            elif .define then "-D \(.define._0)"
            else empty end' "$bin/package.json")
        mapfile -t sources < <(find "$dir" -name '*.swift' | sort)
        echo "build: $t (${#sources[@]} files, $opt, -sanitize=fuzzer,address)" >&2
        "$swiftc" "${common[@]}" "${settings[@]}" "${includes[@]}" -module-name "$t" -wmo \
            -emit-module -emit-module-path "$bin/modules/$t.swiftmodule" \
            -c "${sources[@]}" -o "$bin/objects/$t.o"
        objects+=("$bin/objects/$t.o")
        ;;
    *)
        echo "build: cannot build dependency $t of type $type" >&2; exit 1 ;;
    esac
done

echo "build: harness + link -> Fuzz/bin/http-parser-fuzzer" >&2
"$swiftc" "${common[@]}" "${includes[@]}" -module-name HTTPParserFuzz \
    "$here/Sources/HTTPParserFuzz.swift" "${objects[@]}" "${linkflags[@]}" \
    -use-ld=lld -o "$bin/http-parser-fuzzer"
echo "build: ok" >&2
