#!/usr/bin/env bash
# `make docs-check`: renders the documentation site's index page in headless Chromium and checks that the
# articles and the main symbol pages exist. Run after `make docs` (the Makefile does).
set -euo pipefail
site="${1:-.build-docs/site}"
fail() { echo "docs-check: FAIL: $*"; exit 1; }

# Every article and these symbols must have a page (HTML shell + rendered JSON data).
pages=(gettingstarted comingfrommindspore gradientsofclosuresandcells training higherorderandcustomgradients
       threading performance tensor cell parameter gradoperation forwardvalueandgrad tensortree graderror
       lambdacell dense conv2d sgd adam)
for p in "${pages[@]}"; do
  [ -f "$site/documentation/tapegrad/$p/index.html" ] || fail "no page documentation/tapegrad/$p"
  [ -f "$site/data/documentation/tapegrad/$p.json" ] || fail "no data for documentation/tapegrad/$p"
done
symbols=$(find "$site/data/documentation/tapegrad" -name '*.json' | wc -l)
[ "$symbols" -ge 200 ] || fail "only $symbols symbol pages"

# Render the index page: DocC draws it with JavaScript from the JSON data, so the served HTML has no content
# and the rendered DOM has the hero, the abstract and the topic links.
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --virtual-time-budget=15000 --dump-dom "http://127.0.0.1:$port/documentation/tapegrad/" 2>/dev/null) \
  || fail "chromium did not render the index page"
for text in 'documentation-hero' 'Reverse-mode automatic differentiation' 'Getting started' 'Coming from MindSpore' \
            'Higher-order and custom gradients' 'Threading' 'Performance'; do
  grep -q "$text" <<<"$dom" || fail "the rendered index page lacks '$text'"
done
links=$(grep -o 'href="/documentation/tapegrad/[a-z0-9]*"' <<<"$dom" | sort -u | wc -l)
[ "$links" -ge 15 ] || fail "the rendered index page links only $links pages"
echo "docs-check: OK ($symbols pages; index page rendered in Chromium with $links page links)"
