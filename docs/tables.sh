#!/usr/bin/env bash
# Renders the docs' figures from the recorded results (docs/results/*.jsonl, the format of
# docs/results/README.md), in place, between markers; the text around them is never touched.
#   <!-- results:NAME -->            a block, each marker alone on its line: the lines between are replaced
#   <!-- /results:NAME -->
#   <!-- figure:SOURCE -->TEXT<!-- /figure -->     inline, on one line: TEXT is replaced
# NAME:
#   e2e:<e2e>          a table of the e2e's figures that have a target or a bound, one row per key in the
#                      order of its cases: case, figure, target, bound, the last run (value, commit, date),
#                      the range over the last 10 runs (with how many missed the target)
#   e2e-counts:<e2e>   the same for its figures with neither (counts): case, figure, last run, range
#   baseline:<e2e>     each fault of its last run with a baseline (KEY-baseline-calls): poule's failed
#                      calls (KEY-failed-calls), their sum over the last 10 runs, the plain client's
#   bench:<measurement>  the latest bench run of that measurement (efficiency, footprint, propagation, spread,
#                      scale, image): one column per value of the param that varies (per C, per stat),
#                      a row per figure, its target and whether it was met; then the run, commit, machine
# SOURCE:
#   e2e:<e2e>:<key>                 "V s (last run; A-B s over the last N runs)"
#   bench:<measurement>:<key>[:p=v,...]   the latest value with its unit; the params pick one figure
#                                   among those of the same key (e.g. bench:efficiency:p99:c=2000,server=slip)
# Markers inside fenced code blocks and `code spans` are left alone. Idempotent: a second run changes
# nothing. Prints each block and figure it rendered (rewritten or unchanged). Fails, writing no file,
# with one line naming the file, line, marker and reason when a marker is unclosed or malformed, a
# NAME is unknown, or a figure has no data: a figure is never left empty or given a default.
#   docs/tables.sh
# Knobs (for tests): TABLES_RESULTS_DIR (docs/results), TABLES_FILES (README.md docs/*.md, space-separated).
# Needs bash and jq.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
results_dir=${TABLES_RESULTS_DIR:-$root/docs/results}
if [ -n "${TABLES_FILES:-}" ]; then
  read -r -a files <<<"$TABLES_FILES"
else
  shopt -s nullglob
  files=("$root"/docs/*.md)
  shopt -u nullglob
  if [ -f "$root/README.md" ]; then files=("$root/README.md" "${files[@]}"); fi
fi
command -v jq >/dev/null || { echo "tables.sh: jq is missing (apt-get install -y jq)" >&2; exit 2; }

work=$(mktemp -d /tmp/disco-tables.XXXXXX)
trap 'rm -rf "$work"' EXIT
die() { echo "tables.sh: $*" >&2; exit 1; }
show() { # a path as the messages name it: relative to the repository when inside it
  case $1 in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac
}

# ---- the results: every line checked, with its file's order (_i) kept for the tables' row order
: >"$work/lines.jsonl"
offset=0
shopt -s nullglob
for src in "$results_dir"/*.jsonl; do
  name=$(show "$src")
  if ! jq -Rnc --arg file "$name" --argjson off "$offset" '
      [inputs] | to_entries[] | select(.value | test("^\\s*$") | not)
      | .key as $n | "\($file):\($n + 1)" as $at
      | [.value | try fromjson catch "\u0000"][0] # in an array: jq 1.6 lets a later error into a try
      | if . == "\u0000" then error("\($at): not JSON")
        elif type != "object" then error("\($at): not a JSON object")
        elif (.key | type) != "string" or .key == "" then error("\($at): no \"key\"")
        elif (.run | type) != "string" or (.run | test("^[0-9]{8}T[0-9]{6}Z$") | not)
          then error("\($at): \"run\" is not an id YYYYMMDDTHHMMSSZ")
        elif ((.e2e | type) == "string") == ((.bench | type) == "string")
          then error("\($at): neither \"e2e\" nor \"bench\" names its source, or both do")
        elif (.value | type) != "number" and .value != null then error("\($at): \"value\" is not a number")
        else . + {_i: ($off + $n)} end' "$src" >>"$work/lines.jsonl" 2>"$work/err"; then
    die "$(sed 's/^jq: error (at [^)]*): //' "$work/err" | head -1)"
  fi
  offset=$((offset + $(wc -l <"$src") + 1))
done
shopt -u nullglob

# source_data KIND NAME: the lines of one e2e or one bench measurement, as one JSON array in a file
source_data() {
  local file
  file=$work/data-$1-$(printf '%s' "$2" | tr -c 'A-Za-z0-9_-' '_').json
  if [ ! -f "$file" ]; then
    jq -sc --arg kind "$1" --arg name "$2" 'map(select(.[$kind] == $name))' "$work/lines.jsonl" >"$file"
  fi
  echo "$file"
}

# ---- rendering, in jq: each entry point outputs "ok\n<text>" or "error\n<reason>"
read -r -d '' JQ_LIB <<'JQ' || true
def esc: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def num: if . == null then "not reached" else ((. * 1000 | round) / 1000 | tostring) end;
def unitless($u): $u == null or $u == "" or $u == "count" or $u == "ratio";
def withunit($u): if . == "not reached" or unitless($u) then . else "\(.) \($u)" end;
def val: .unit as $u | .value | num | withunit($u);
def higher: .better == "higher";
def limit_text($t): if $t == null then "-" else .unit as $u | (if higher then ">= " else "<= " end) + ($t | num | withunit($u)) end;
def target_text: limit_text(.target);
def bound_text: limit_text(.bound);
def past($t): $t != null and (.value == null or (if higher then .value < $t else .value > $t end));
def missed: past(.target);
def past_bound: past(.bound);
def day: .run | "\(.[0:4])-\(.[4:6])-\(.[6:8])";
def stamp: .run | "\(.[0:4])-\(.[4:6])-\(.[6:8]) \(.[9:11]):\(.[11:13]) UTC";
def uniq_in_order: reduce .[] as $x ([]; if any(.[]; . == $x) then . else . + [$x] end);
def row($cells): "| " + ($cells | map(esc) | join(" | ")) + " |";
def header($cells): row($cells) + "\n|" + ($cells | map("---|") | join(""));
def plural($n; $word): "\($n) \($word)" + (if $n == 1 then "" else "s" end);

# values (numbers or null) with a unit: "A-B u", "A u" when equal
def span($u): map(select(. != null)) as $v
  | if ($v | length) == 0 then "not reached"
    elif ($v | min) == ($v | max) then $v | min | num | withunit($u)
    else ($v | min | num) + (if ($v | min) < 0 then " to " else "-" end) + ($v | max | num | withunit($u)) end;

# ---- e2e: the last 10 runs of one e2e
def window($d): ($d | map(.run) | unique) as $runs
  | {runs: $runs, win: $runs[-10:], lines: [$d[] | select(.run | IN($runs[-10:][]))]};
# the keys of the window, newest line first, in the order of their cases' first appearance (latest run first)
def keyed($w):
  ($w.win | to_entries | map({key: .value, value: .key}) | from_entries) as $rank
  | ($w.lines | sort_by([-($rank[.run]), ._i])) as $seq
  | [($seq | map(.key) | uniq_in_order)[] as $k | {key: $k, lines: [$seq[] | select(.key == $k)]}
     | .case = .lines[0].case]
  | (map(.case) | uniq_in_order) as $cases
  | [$cases[] as $c | .[] | select(.case == $c)];
def last_text: val + ", \(.commit // "?"), \(day)" + (if missed then " (missed)" else "" end)
  + (if past_bound then " (past bound)" else "" end);
def range_text($lines):
  ($lines | map(.run) | unique | length) as $n
  | ($lines | map(.value) | span($lines[0].unit)) + ", " + plural($n; "run")
  + ([$lines[] | select(missed)] | length | if . > 0 then " (missed: \(.))" else "" end)
  + ([$lines[] | select(past_bound)] | length | if . > 0 then " (past bound: \(.))" else "" end);
def e2e_table($e; $d; $targeted):
  if ($d | length) == 0 then error("no run of e2e \"\($e)\" in \($dir)/*.jsonl (docs/results/add-run.sh records one)")
    else . end
  | window($d) as $w
  | [keyed($w)[] | select((.lines[0] | .target != null or .bound != null) == $targeted)] as $rows
  | if ($rows | length) == 0 then error(if $targeted then "no figure of e2e \"\($e)\" has a target or a bound"
      else "every figure of e2e \"\($e)\" has a target or a bound (see e2e:\($e))" end) else . end
  | ($w.win | length) as $n
  | ([$w.lines[] | select(.run == $w.win[0])][0]) as $first
  | ([$w.lines[] | select(.run == $w.win[-1])][0]) as $last
  | header(["case", "figure"] + (if $targeted then ["target", "bound"] else [] end)
      + ["last run", "range, last " + plural($n; "run")])
  + "\n" + ($rows | map(.lines[0] as $l
      | row([$l.case // "-", $l.what // .key] + (if $targeted then [($l | target_text), ($l | bound_text)] else [] end)
          + [($l | last_text), range_text(.lines)])) | join("\n"))
  + "\n\n" + "Over the last \(plural($n; "run")) of `\($e)` (of \($w.runs | length) recorded): "
  + (if $n == 1 then "\($first | day) (\($first.commit // "?"))."
     else "\($first | day) (\($first.commit // "?")) to \($last | day) (\($last.commit // "?"))." end);

# ---- bench: the latest run of one measurement
def params_text($names): . as $l | [$names[] as $n | select($l.params | has($n)) | "\($n)=\($l.params[$n])"] | join(", ");
def vals_text($name; $vals): if $name == "stat" then $vals | map(tostring) | join(", ")
  else "\($name) = " + ($vals | map(tostring) | join(", ")) end;
def figure_name: (.what // .key) + (if unitless(.unit) then "" else " (\(.unit))" end);
def plain_table($lines; $show):
  ($lines | map(params_text($show)) | any(. != "")) as $haspar
  | header(["figure"] + (if $haspar then ["params"] else [] end) + ["value", "target", "met?"])
  + "\n" + ($lines | map(row([.what // .key] + (if $haspar then [params_text($show)] else [] end)
      + [val, target_text, (if .target == null then "-" elif missed then "**missed**" else "met" end)]))
      | join("\n"));
# rows: the figure (and its other params), columns: the values of param $p
def pivot_table($pl; $p; $show):
  ($show - [$p.name]) as $others
  | ($pl | map({key, rp: params_text($others)}) | uniq_in_order) as $ids
  | ($ids | any(.rp != "")) as $haspar
  | header(["figure"] + (if $haspar then ["params"] else [] end)
      + ($p.values | map(vals_text($p.name; [.]))) + ["target", "met?"])
  + "\n" + ($ids | map(. as $id
      | [$pl[] | select(.key == $id.key and params_text($others) == $id.rp)] as $cells
      | [$cells[] | select(.target != null)] as $ts
      | [$ts[] | select(missed)] as $miss
      | row([$cells[0] | figure_name] + (if $haspar then [$id.rp] else [] end)
          + ($p.values | map(. as $v | [$cells[] | select(.params[$p.name] == $v)][0]
              | if . == null then "" else (.value | num) as $x | if missed then "**\($x)**" else $x end end))
          + [(if ($ts | length) == 0 then "-"
              elif ($ts | map(target_text) | unique | length) == 1 and ($ts | length) == ($cells | length)
                then $ts[0] | target_text
              else ($ts | map(target_text) | uniq_in_order) as $texts
                | $texts | map(. as $t | "\($t) (" + vals_text($p.name; [$ts[] | select(target_text == $t)
                    | .params[$p.name]]) + ")") | join("; ") end),
             (if ($ts | length) == 0 then "-" elif ($miss | length) == 0 then "met"
              else "**missed** (" + vals_text($p.name; [$miss[] | .params[$p.name]]) + ")" end)]))
    | join("\n"));
# a pivot on the param with the most values (then the most lines, then the last named); the lines
# without it in a table of their own, the same way; a plain table when no param varies
def bench_tables($lines; $show):
  ([$lines[] | .params | keys_unsorted[]] | uniq_in_order | map(select(IN($show[])))) as $names
  | [$names | to_entries[] | .value as $n | .key as $pos
      | {name: $n, pos: $pos, values: ([$lines[] | select(.params | has($n)) | .params[$n]] | uniq_in_order
           | if $n == "stat" then sort_by(. as $v | ["min", "median", "max"] | index([$v]) // 3) else . end),
         count: ([$lines[] | select(.params | has($n))] | length)}
      | select(.values | length >= 2)] as $cands
  | if ($cands | length) == 0 then plain_table($lines; $show)
    else ($cands | sort_by([(.values | length), .count, .pos]) | last) as $p
      | [$lines[] | select(.params | has($p.name) | not)] as $rest
      | pivot_table([$lines[] | select(.params | has($p.name))]; $p; $show)
        + (if ($rest | length) == 0 then "" else "\n\n" + bench_tables($rest; $show) end) end;
def bench_block($m; $d):
  if ($d | length) == 0 then error("no run of bench \"\($m)\" in \($dir)/*.jsonl (bench/run.sh --write records one)")
    else . end
  | ($d | map(.run) | max) as $run
  | [$d[] | select(.run == $run) | .params //= {}] | sort_by(._i) as $lines
  | ([$lines[] | .params | keys_unsorted[]] | uniq_in_order) as $names
  | [$names[] as $n | $n | select(all($lines[]; .params | has($n))
      and ([$lines[] | .params[$n]] | unique | length) == 1)] as $constant
  | $lines[0] as $f
  | bench_tables($lines; $names - $constant)
  + "\n\n" + "Run \($f.run) (\($f | stamp)), commit \($f.commit // "?")"
  + (if $f.machine then ", \($f.machine.cpu // "CPU unknown"), \($f.machine.cores // "?") cores"
       + (if $f.machine.memoryGiB then ", \($f.machine.memoryGiB) GiB" else "" end)
       + (if $f.machine.loadAverage then ", load \($f.machine.loadAverage | map(tostring) | join(" ")) at start"
          else "" end) else "" end)
  + (if ($constant | length) > 0 then "; " + ($f | params_text($constant)) else "" end) + ".";

# ---- inline figures
def fig_e2e($e; $key; $d):
  if ($d | length) == 0 then error("no run of e2e \"\($e)\" in \($dir)/*.jsonl (docs/results/add-run.sh records one)")
    else . end
  | window($d) as $w
  | [$w.lines[] | select(.key == $key)] as $ls
  | if ($ls | length) == 0 then
      error(if any($d[]; .key == $key) then "figure \"\($key)\" of e2e \"\($e)\" is in none of its last \($w.win | length) runs"
        else "no figure \"\($key)\" in the lines of e2e \"\($e)\"" end) else . end
  | ($ls | sort_by([.run, ._i]) | last) as $l
  | ($ls | map(.run) | unique | length) as $n
  | ($l | val) + " (last run; "
  + (if $n == 1 then "1 run recorded)" else ($ls | map(.value) | span($l.unit)) + " over the last \($n) runs)" end);
def fig_bench($m; $key; $want; $d):
  [$d[] | select(.key == $key) | select(.params // {} | . as $p | $want | to_entries
    | all(($p[.key] | tostring) == .value))] as $ls
  | ($want | to_entries | map("\(.key)=\(.value)") | join(",")) as $wtext
  | if ($d | length) == 0 then error("no run of bench \"\($m)\" in \($dir)/*.jsonl (bench/run.sh --write records one)")
    elif ($ls | length) == 0 then error("no figure \"\($key)\"" + (if $wtext == "" then "" else " with \($wtext)" end)
      + " in the lines of bench \"\($m)\"") else . end
  | ($ls | map(.run) | max) as $run
  | [$ls[] | select(.run == $run)] as $latest
  | if ($latest | length) > 1 then
      ([$latest[] | .params | keys_unsorted[]] | uniq_in_order) as $names
      | [$names[] as $n | $n | select([$latest[] | .params[$n]] | unique | length > 1)] as $differ
      | error("\($latest | length) figures \"\($key)\" in run \($run): name the params that tell them apart ("
        + ($latest | map(params_text($differ)) | join(" or ")) + ")") else . end
  | $latest[0] | val;

# ---- baseline: each fault of the last run, poule's failed calls against the plain client's
def baseline_table($e; $d):
  if ($d | length) == 0 then error("no run of e2e \"\($e)\" in \($dir)/*.jsonl (docs/results/add-run.sh records one)")
    else . end
  | window($d) as $w
  | ($w.win | length) as $n
  | [$w.lines[] | select(.run == $w.win[-1])] as $last
  | [$last[] | select(.key | endswith("-baseline-calls")) | .key | rtrimstr("-baseline-calls")] as $faults
  | if ($faults | length) == 0 then error("no baseline figure (KEY-baseline-calls) in the last run of e2e \"\($e)\"")
    else . end
  | def one($k): [$last[] | select(.key == $k)][0];
    header(["fault (\($last[0] | day), commit \($last[0].commit // "?"))", "poule: failed calls",
      "over the last " + plural($n; "run"), "plain client via Swarm DNS: failed calls"])
  + "\n" + ($faults | map(. as $f
      | one($f + "-failed-calls") as $poule
      | if $poule == null then error("no \($f)-failed-calls beside \($f)-baseline-calls in the last run of e2e \"\($e)\"")
        else . end
      | row([($poule.case | sub("^(?<n>[0-9]+) "; "\(.n). ")), ($poule.value | num), ([$w.lines[] | select(.key == $f + "-failed-calls") | .value] | add | num),
          "\(one($f + "-baseline-failed-calls").value | num) of \(one($f + "-baseline-calls").value | num)"]))
    | join("\n"));

def block($name; $d):
  ($name | split(":")) as $p
  | if ($p | length) != 2 or $p[1] == "" then error("unknown name \"\($name)\": expected e2e:<e2e>, e2e-counts:<e2e>, baseline:<e2e> or bench:<measurement>")
    elif $p[0] == "e2e" then e2e_table($p[1]; $d; true)
    elif $p[0] == "e2e-counts" then e2e_table($p[1]; $d; false)
    elif $p[0] == "bench" then bench_block($p[1]; $d)
    elif $p[0] == "baseline" then baseline_table($p[1]; $d)
    else error("unknown name \"\($name)\": expected e2e:<e2e>, e2e-counts:<e2e>, baseline:<e2e> or bench:<measurement>") end;
def figure($source; $d):
  ($source | split(":")) as $p
  | if $p[0] == "e2e" and ($p | length) == 3 and $p[1] != "" and $p[2] != "" then fig_e2e($p[1]; $p[2]; $d)
    elif $p[0] == "bench" and (($p | length) == 3 or ($p | length) == 4) and $p[1] != "" and $p[2] != "" then
      (if ($p | length) == 4 then $p[3] | split(",") | map(select(. != "")
         | if test("^[^=]+=.") then capture("^(?<key>[^=]+)=(?<value>.*)$") else error("params \"\($p[3])\" are not name=value,...") end)
         | from_entries else {} end) as $want
      | fig_bench($p[1]; $p[2]; $want; $d)
    else error("unknown source \"\($source)\": expected e2e:<e2e>:<key> or bench:<measurement>:<key>[:name=value,...]") end;
JQ

# render MODE NAME: MODE block or figure; prints the text, or fails with the reason in $reason
reason=""
render() {
  local mode=$1 name=$2 kind src data out
  IFS=: read -r kind src _ <<<"$name"
  case $kind in
    e2e|e2e-counts|baseline) data=$(source_data e2e "$src") ;;
    bench) data=$(source_data bench "$src") ;;
    *) data=$(source_data none none) ;;
  esac
  out=$(jq -rn --arg name "$name" --arg dir "$(show "$results_dir")" --slurpfile d "$data" \
    "$JQ_LIB try (\"ok\n\" + $mode(\$name; \$d[0])) catch (\"error\n\" + (. | tostring))" 2>"$work/jq.err") || true
  case ${out%%$'\n'*} in
    ok) rendered=${out#ok$'\n'}; return 0 ;;
    error) reason=${out#error$'\n'} ;;
    *) reason="jq failed: $(head -1 "$work/jq.err")" ;;
  esac
  return 1
}

open_re='^[[:space:]]*<!-- results:([^[:space:]]+) -->[[:space:]]*$'
close_re='^[[:space:]]*<!-- /results:([^[:space:]]+) -->[[:space:]]*$'
fence_re='^ {0,3}(```|~~~)'
figure_re='(<!-- figure:([^[:space:]]+) -->)([^<]*)(<!-- /figure -->)'
rewritten=0 unchanged=0
declare -a notes=()

# figures_in FILE LINE TEXT: TEXT (no code span in it) with its figures rendered, in $segment_out
figures_in() {
  local file=$1 n=$2 text=$3 out="" opening source closing whole
  while [[ $text =~ $figure_re ]]; do
    whole=${BASH_REMATCH[0]} opening=${BASH_REMATCH[1]} source=${BASH_REMATCH[2]} closing=${BASH_REMATCH[4]}
    render figure "$source" || die "$(show "$file"):$n: <!-- figure:$source -->: $reason"
    out+=${text%%"$whole"*}$opening$rendered$closing
    if [ "${BASH_REMATCH[3]}" = "$rendered" ]; then
      notes+=("$(show "$file"):$n: figure:$source unchanged"); unchanged=$((unchanged + 1))
    else
      notes+=("$(show "$file"):$n: figure:$source rewritten: $rendered"); rewritten=$((rewritten + 1))
    fi
    text=${text#*"$whole"}
  done
  if [[ $text =~ \<!--[[:space:]]*/?(figure|results)[^\>]*(--\>)? ]]; then
    if [ "${BASH_REMATCH[1]}" = results ]; then
      die "$(show "$file"):$n: ${BASH_REMATCH[0]}: a block marker must be alone on its line"
    fi
    die "$(show "$file"):$n: ${BASH_REMATCH[0]}: malformed or unclosed (expected <!-- figure:SOURCE -->TEXT<!-- /figure --> on one line, TEXT without '<')"
  fi
  segment_out=$out$text
}

# inline FILE LINE TEXT: the line with its figures rendered outside `code spans`, in $line_out
inline() {
  local file=$1 n=$2 rest=$3 out="" ticks code
  while [[ $rest =~ ^([^\`]*)(\`+)(.*)$ ]]; do
    ticks=${BASH_REMATCH[2]} code=${BASH_REMATCH[3]}
    figures_in "$file" "$n" "${BASH_REMATCH[1]}"
    out+=$segment_out
    if [[ $code == *"$ticks"* ]]; then
      out+=$ticks${code%%"$ticks"*}$ticks
      rest=${code#*"$ticks"}
    else
      out+=$ticks
      rest=$code
    fi
  done
  figures_in "$file" "$n" "$rest"
  line_out=$out$segment_out
}

# ---- every file rendered into $work first: a failure writes none
declare -a changed=()
k=0
for file in "${files[@]}"; do
  [ -f "$file" ] || die "$(show "$file"): no such file"
  grep -q -e '<!-- *results:' -e '<!-- */results:' -e '<!-- *figure:' -e '<!-- */figure' "$file" || continue
  mapfile -t lines <"$file"
  out=$work/out-$((k += 1))
  : >"$out"
  fence=0 i=0 total=${#lines[@]}
  while [ "$i" -lt "$total" ]; do
    line=${lines[i]}
    n=$((i + 1))
    if [[ $line =~ $fence_re ]]; then
      fence=$((1 - fence))
    fi
    if [ "$fence" = 1 ] || [[ $line =~ $fence_re ]] || [[ $line != *'<!--'* ]]; then
      printf '%s\n' "$line" >>"$out"
      i=$((i + 1))
      continue
    fi
    if [[ $line =~ $open_re ]]; then
      name=${BASH_REMATCH[1]}
      j=$((i + 1))
      while [ "$j" -lt "$total" ]; do
        if [[ ${lines[j]} =~ $close_re ]]; then
          [ "${BASH_REMATCH[1]}" = "$name" ] || die "$(show "$file"):$n: <!-- results:$name -->: closed by <!-- /results:${BASH_REMATCH[1]} --> on line $((j + 1))"
          break
        fi
        [[ ${lines[j]} =~ $open_re ]] && die "$(show "$file"):$n: <!-- results:$name -->: not closed (another block opens on line $((j + 1)) before <!-- /results:$name -->)"
        j=$((j + 1))
      done
      [ "$j" -lt "$total" ] || die "$(show "$file"):$n: <!-- results:$name -->: not closed (no <!-- /results:$name --> after it)"
      render block "$name" || die "$(show "$file"):$n: <!-- results:$name -->: $reason"
      new=$'\n'$rendered$'\n'
      old=""
      for ((m = i + 1; m < j; m++)); do old+=${lines[m]}$'\n'; done
      if [ "$old" = "$new"$'\n' ]; then
        notes+=("$(show "$file"):$n: results:$name unchanged"); unchanged=$((unchanged + 1))
      else
        notes+=("$(show "$file"):$n: results:$name rewritten"); rewritten=$((rewritten + 1))
      fi
      printf '%s\n%s\n%s\n' "$line" "$new" "${lines[j]}" >>"$out"
      i=$((j + 1))
      continue
    fi
    [[ $line =~ $close_re ]] && die "$(show "$file"):$n: <!-- /results:${BASH_REMATCH[1]} -->: closes no open block"
    inline "$file" "$n" "$line"
    printf '%s\n' "$line_out" >>"$out"
    i=$((i + 1))
  done
  [ "$fence" = 0 ] || die "$(show "$file"): a fenced code block is not closed: its markers would be skipped"
  cmp -s "$out" "$file" || changed+=("$file" "$out")
done

if [ "${#notes[@]}" -eq 0 ]; then
  echo "tables.sh: no marker in $(for f in "${files[@]}"; do show "$f"; done | paste -sd' ' -): nothing to render"
  exit 0
fi
printf '%s\n' "${notes[@]}"
for ((c = 0; c < ${#changed[@]}; c += 2)); do
  cat "${changed[c + 1]}" >"${changed[c]}" # in place: the file keeps its mode
done
echo "tables.sh: $rewritten rewritten, $unchanged unchanged; files written: $((${#changed[@]} / 2))"
