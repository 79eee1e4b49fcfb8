#!/usr/bin/env bash
# Records the e2e figures of one clean-clone CI run: appends every *.jsonl under DIR/target/e2e-results/
# to docs/results/e2e.jsonl, then renders the docs (docs/tables.sh).
#   docs/results/add-run.sh DIR      DIR: a clean clone of a commit after `bash .ci/run` passed in it
# Refuses, appending nothing: a DIR with no results, a line that is not one of the format's e2e lines
# (docs/results/README.md), a key twice in one run, a line whose commit is not DIR's HEAD, a DIR whose
# tracked files were changed (not a clean clone), and a run (e2e and run id) already recorded.
# Knob (for tests): TABLES_RESULTS_DIR (docs/results), also read by docs/tables.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
history=${TABLES_RESULTS_DIR:-$here}/e2e.jsonl
die() { echo "add-run.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: docs/results/add-run.sh DIR   (a clean clone after bash .ci/run)" >&2; exit 2; }
dir=$(cd "$1" && pwd) || die "$1: no such folder"
results=$dir/target/e2e-results
[ -d "$results" ] || die "$results: no such folder (did bash .ci/run run in $dir?)"
mapfile -t found < <(find "$results" -type f -name '*.jsonl' | sort)
[ "${#found[@]}" -gt 0 ] || die "$results: no *.jsonl in it"

head=$(git -C "$dir" rev-parse HEAD 2>/dev/null) || die "$dir: not a git clone"
if [ -n "$(git -C "$dir" status --porcelain --untracked-files=no)" ]; then
  die "$dir: tracked files changed (git status): not a clean clone"
fi

# every line checked; then the runs it brings, as "e2e run" pairs
new=$(mktemp)
trap 'rm -f "$new"' EXIT
for file in "${found[@]}"; do
  jq -Rnc --arg file "${file#"$dir"/}" --arg head "$head" '
    [inputs] | to_entries[] | select(.value | test("^\\s*$") | not)
    | "\($file):\(.key + 1)" as $at
    | [.value | try fromjson catch "\u0000"][0] # in an array: jq 1.6 lets a later error into a try
    | if . == "\u0000" or type != "object" then error("\($at): not a JSON object")
      elif (.e2e | type) != "string" or .e2e == "" then error("\($at): no \"e2e\"")
      elif has("bench") then error("\($at): a bench line (bench/run.sh --write records those)")
      elif (.key | type) != "string" or .key == "" then error("\($at): no \"key\"")
      elif (.run | type) != "string" or (.run | test("^[0-9]{8}T[0-9]{6}Z$") | not)
        then error("\($at): \"run\" is not an id YYYYMMDDTHHMMSSZ")
      elif (.value | type) != "number" and .value != null then error("\($at): \"value\" is not a number")
      elif (.commit | type) != "string" or .commit == "" or (.commit as $c | $head | startswith($c) | not)
        then error("\($at): commit \(.commit) is not the clone'"'"'s HEAD \($head[0:7])")
      else . end' "$file" >>"$new" 2>"$new.err" || {
    msg=$(sed 's/^jq: error (at [^)]*): //' "$new.err" | head -1)
    rm -f "$new.err"
    die "$msg"
  }
  rm -f "$new.err"
done
twice=$(jq -rs 'group_by([.e2e, .run, .key]) | map(select(length > 1) | .[0] | "\(.e2e) \(.run) \(.key)") | first // ""' "$new")
[ -z "$twice" ] || die "a key twice in one run: $twice"
mapfile -t runs < <(jq -r '"\(.e2e) \(.run)"' "$new" | sort -u)
if [ -f "$history" ]; then
  for r in "${runs[@]}"; do
    jq -e --arg e "${r% *}" --arg run "${r#* }" 'select(.e2e == $e and .run == $run)' "$history" >/dev/null \
      && die "run $r is already in $history"
  done
fi

mkdir -p "$(dirname "$history")"
# the history keeps a line a record: a last line without its newline gets one first
if [ -s "$history" ] && [ -n "$(tail -c 1 "$history")" ]; then echo >>"$history"; fi
cat "$new" >>"$history"
echo "add-run.sh: $(wc -l <"$new") lines of ${#runs[@]} runs (${runs[*]}) of commit ${head:0:7} appended to $history"
"$here/../tables.sh"
