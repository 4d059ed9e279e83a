#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
# scripts/install-deps.sh) opens the report of a results tree that holds every test family and
# every widget (tests/report_fixture.h) with name resolution disabled, and checks that
#   - no request leaves the page: the net log lists no http(s)/ws(s) URL at all;
#   - the console stays clean: no error, no Content-Security-Policy violation;
#   - the page's text holds every section heading, and the hostile probe words only as text;
#   - at 375 px nothing is wider than the screen (a 10,000-character word included);
# and keeps screenshots at 375 and 1280 px and a PDF print in OUT for a person to look at.
# Each check is first shown to fail on a page made to fail it, so that a pass means something.
# With AUDIT_DIR, the same checks on the report of a real audit (test_audit's, with hostile
# probe words) and, at 375 px, on AUDIT_DIR-long (the same results with a 10,000-character title).
# Usage: browser_report.sh TEST_REPORT_HTML_BINARY OUT [AUDIT_DIR]
set -u
writer=$1 out=$2 audit=${3:-}
fails=0 n=0
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() { n=$((n + 1)); "$@"; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "FAIL: chromium is not installed (scripts/install-deps.sh installs it)"
  echo "browser_report: 0 passed, 1 failed"
  exit 1
fi
rm -rf "$out" && mkdir -p "$out"
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
"$writer" --write "$out/report" || { echo "FAIL: cannot write the fixture report"; exit 1; }

flags=(--headless=new --disable-gpu --no-first-run --no-default-browser-check
  --disable-background-networking --disable-component-update --disable-sync
  --disable-default-apps --disable-extensions --hide-scrollbars
  --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$work/profile")
[ "$(id -u)" -eq 0 ] && flags+=(--no-sandbox) # root cannot use Chromium's sandbox

# browse NAME URL [FLAGS...]: the DOM after load on stdout of NAME.dom, the log in NAME.log,
# the network log in NAME.net
browse() {
  local name=$1 url=$2
  shift 2
  timeout 90 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 \
    --log-net-log="$work/$name.net" --virtual-time-budget=5000 "$@" --dump-dom "$url" \
    >"$work/$name.dom" 2>"$work/$name.log"
}
# Requests made for a page opened from a file carry its site (file://); the browser's own
# background requests (updates, clock) do not, and are not the page's.
requests() {
  grep -E 'site=file://' "$work/$1.net" | grep -oE '"url":"(https?|wss?|ftp)://[^"]*' | sort -u
}
console_errors() { grep -E 'CONSOLE|Refused to|Uncaught' "$work/$1.log"; }

# Calibration: a page that requests an image and logs an error must fail both checks.
cat >"$work/bad.html" <<'EOF'
<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">
<script>console.error("calibration error")</script></body></html>
EOF
browse bad "file://$work/bad.html"
check [ -n "$(requests bad)" ] || fail "the net log check cannot see a request (calibration)"
check [ -n "$(console_errors bad)" ] || fail "the console check cannot see an error (calibration)"

# The report itself (it runs no script: its policy forbids them), and its width at 375 px
# measured from outside by a probe page.
# width_at_375 NAME REPORT_FOLDER: fails unless nothing is wider than the screen at 375 px.
width_at_375() {
  cat >"$work/$1-probe.html" <<EOF
<!DOCTYPE html><html><body>
<iframe id="f" src="file://$2/report.html" style="width:375px;height:2000px;border:0"></iframe>
<pre id="result">not loaded</pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument.documentElement;
  document.getElementById("result").textContent = "width " + d.scrollWidth + " of " + d.clientWidth;
});
</script></body></html>
EOF
  browse "$1-probe" "file://$work/$1-probe.html" --allow-file-access-from-files
  local w
  w=$(grep -oE 'width [0-9]+ of [0-9]+' "$work/$1-probe.dom")
  n=$((n + 1))
  if [[ $w =~ width\ ([0-9]+)\ of\ ([0-9]+) ]]; then
    [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] || fail "$1: at 375 px the page is $w px wide"
  else
    fail "$1: could not measure the page at 375 px"
  fi
}

# check_rendered NAME HEADING...: the page browsed as NAME rendered, made no request, left the
# console clean, has every heading, and shows the hostile probe words only as text.
check_rendered() {
  local name=$1 h
  shift
  check [ -s "$work/$name.dom" ] || fail "$name: chromium rendered nothing: $(head -c 300 "$work/$name.log")"
  r=$(requests "$name")
  check [ -z "$r" ] || fail "$name: the page made requests: $r"
  c=$(console_errors "$name")
  check [ -z "$c" ] || fail "$name: console errors: $c"
  for h in "$@"; do
    check grep -qF ">$h</h" "$work/$name.dom" || fail "$name: no heading '$h' in the rendered page"
  done
  check grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/$name.dom" ||
    fail "$name: the script-tag probe word is not shown as text"
  n=$((n + 1))
  if grep -qE '<script|<[a-zA-Z][^>]* onmouseover="' "$work/$name.dom"; then
    fail "$name: a probe word became markup"
  fi
}

browse report "file://$out/report/report.html"
check_rendered report "Summary" "Transparency card" "Tokenizer fairness" \
  "Association tests on input embeddings" "Sentence embeddings (SEAT)" \
  "Contextual embeddings (CEAT)" "Minimal pairs" "Masked templates" "Explanations" \
  "Before and after fine-tuning" "Positive controls" "Association tests" "Likelihood tests" \
  "Swahili and English" "Methods and reproducibility" "Reproducing this report"
width_at_375 report "$out/report"

# The report of a real audit: its seven parts, no request, a clean console, the hostile probe
# words as text, and the page 375 px wide even with a 10,000-character title.
if [ -n "$audit" ]; then
  check [ -s "$audit/report.html" ] || fail "no audit report in $audit (test_audit writes it)"
  browse audit "file://$audit/report.html"
  check_rendered audit "Summary" "Transparency card" "Tokenizer fairness" "Association tests" \
    "Likelihood tests" "Explanations" "Methods and reproducibility" "Swahili and English" \
    "Positive controls" "Sentence embeddings (SEAT)" "Minimal pairs" "Masked templates"
  width_at_375 audit "$audit"
  width_at_375 audit-long "$audit-long"
  for size in 375,3000 1280,2400; do
    timeout 90 "$browser" "${flags[@]}" --window-size=$size --screenshot="$out/audit-${size%,*}.png" \
      "file://$audit/report.html" 2>/dev/null
    check [ -s "$out/audit-${size%,*}.png" ] || fail "no audit-${size%,*}.png"
  done
fi

# For a person: screenshots and a print.
url="file://$out/report/report.html"
timeout 90 "$browser" "${flags[@]}" --window-size=375,3000 --screenshot="$out/report-375.png" "$url" 2>/dev/null
timeout 90 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$out/report-1280.png" "$url" 2>/dev/null
timeout 90 "$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "$url" 2>/dev/null
for f in report-375.png report-1280.png report.pdf; do
  check [ -s "$out/$f" ] || fail "no $f"
done
echo "browser_report: screenshots and PDF in $out"
echo "browser_report: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
