#!/usr/bin/env bash
# Lighthouse budgets of the catalogue site, mobile: performance >= 95, accessibility, best
# practices and SEO 100 (DESIGN.md), on the home page, a procedure page and a search with a query.
#
#   bench/lighthouse.sh [--no-build | --site DIR] [--runs N]        (or: make lighthouse [RUNS=N])
#
# Builds the site (`make build`, incremental; --no-build reuses build/site; --site audits another
# built site), serves it on 127.0.0.1 compressed as the CDN would (bench/serve_site.py), and runs
# Lighthouse (pinned in bench/lighthouse/package-lock.json, installed there by `npm ci` when
# missing or older than the lock) in Debian's Chromium with its default mobile settings and
# simulated throttling, N times per page (default 3: the machine is noisy); prints the medians.
# Exits 1 when a budget is missed. The JSON reports stay in build/lighthouse/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LH_DIR="$REPO/bench/lighthouse"
OUT="$REPO/build/lighthouse"
PY="$REPO/.venv/bin/python"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
RUNS=3
BUILD=1
SITE="$REPO/build/site"
QUERY="cap+doi+giay+phep+lai+xe"
# name=path; the procedure is the driving-licence exchange, the one the browser tests open too.
PAGES=("home=/" "procedure=/thu-tuc/3-000347/" "search=/tim-kiem/?q=$QUERY")

while (($#)); do
  case "$1" in
    --no-build) BUILD=0 ;;
    --site) SITE=$(cd "$2" && pwd); BUILD=0; shift ;;
    --runs) RUNS="$2"; shift ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

[[ -x "$CHROME_PATH" ]] || { echo "no Chromium at $CHROME_PATH (make chromium)" >&2; exit 2; }
if [[ ! -d "$LH_DIR/node_modules" || "$LH_DIR/package-lock.json" -nt "$LH_DIR/node_modules" ]]; then
  (cd "$LH_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$LH_DIR/node_modules"
fi
LIGHTHOUSE="$LH_DIR/node_modules/.bin/lighthouse"

if ((BUILD)); then
  make -s -C "$REPO" build
fi
[[ -f "$SITE/index.html" ]] || { echo "no site in $SITE: run make build" >&2; exit 2; }

rm -rf "$OUT" && mkdir -p "$OUT"
"$PY" "$REPO/bench/serve_site.py" --root "$SITE" --port-file "$OUT/port" >/dev/null &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [[ -s "$OUT/port" ]] && break; sleep 0.1; done
[[ -s "$OUT/port" ]] || { echo "the site server did not start" >&2; exit 2; }
BASE="http://127.0.0.1:$(cat "$OUT/port")"

# Headless, and none of the background traffic this machine's closed network refuses.
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
CHROME_FLAGS+=" --disable-component-update --disable-sync --disable-default-apps"

lighthouse() { # URL OUTPUT
  # Default config: mobile form factor, Moto G Power screen, simulated slow 4G and 4x CPU slowdown.
  "$LIGHTHOUSE" "$1" --quiet --output=json --output-path="$2" \
    --only-categories=performance,accessibility,best-practices,seo --chrome-flags="$CHROME_FLAGS"
}

# One run thrown away first: Chromium's first start on a cold disk is slower than any page.
echo "lighthouse: warm-up run (not counted)" >&2
lighthouse "$BASE/" "$OUT/warm-up.json.discarded"

names=()
for entry in "${PAGES[@]}"; do
  name=${entry%%=*} path=${entry#*=}
  names+=("$name")
  for run in $(seq "$RUNS"); do
    echo "lighthouse: $name, run $run of $RUNS ($BASE$path)" >&2
    lighthouse "$BASE$path" "$OUT/$name-$run.json"
  done
done

"$PY" "$REPO/bench/lighthouse_report.py" "$OUT" "${names[@]}"
