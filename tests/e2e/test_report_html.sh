# The HTML report of real records (model runs on two emulated boards and a
# suite run), opened in headless Chromium: after load the charts are there,
# each titled with its figure's source, every board with its verified level,
# the page asks for nothing outside itself and logs no console message.
# Skipped without Chromium (scripts/install-deps.sh installs it).

# CHROMIUM names another build (or a missing one, to see the skip).
html_browser=${CHROMIUM:-/usr/bin/chromium}

html_need_chromium() {
	[ -x "$html_browser" ] || skip "chromium not installed ($html_browser; scripts/install-deps.sh installs it)"
}

# Chromium with a profile of its own, and no host name resolving, so that
# nothing the page might ask for could leave this machine.
html_chromium() {
	timeout 120 "$html_browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-extensions --user-data-dir="$PWD/chromium-profile" \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 "$@"
}

# Console messages (errors, uncaught exceptions, refused loads) in a log.
html_console_lines() {
	grep -E ':CONSOLE|Uncaught|Refused to|net::ERR_' "$1" || true
}

html_records() {
	local model="$ROOT/suites/fmnist/fmnist_int8.tflite" board
	for board in qemu-m3 qemu-m4; do
		hb run --board "$board" --model "$model" --runs 3 --warmup 0 --results r
		expect_rc 0
	done
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 10 --results r
	expect_rc 0
}

# The console check must see a console error when there is one.
html_console_check_works() {
	printf '<!DOCTYPE html><html><body><script>no_such_function();</script></body></html>\n' >bad.html
	html_chromium --dump-dom "file://$PWD/bad.html" >bad.dom 2>bad.log || fail "chromium failed on a test page: $(tail -5 bad.log)"
	[ -n "$(html_console_lines bad.log)" ] || fail "chromium logged no console error for a page that throws: $(tail -20 bad.log)"
}

test_report_html_renders_self_contained_charts() {
	html_need_chromium
	html_console_check_works
	html_records
	hb report r --json
	expect_rc 0
	cp stdout.txt table.json
	hb report r --out report.html --require "latency_ms<=500" --rank latency
	expect_rc 0
	[ -s report.html ] || fail "no report.html; stderr: $err"
	# Nothing outside the file: no address, no script, no stylesheet or image to load.
	! grep -qiE 'https?:|//[a-z0-9.-]+\.[a-z]{2,}/' report.html || fail "report.html names an address: $(grep -oiE '.{40}https?:.{40}' report.html | head -3)"
	! grep -qiE '<script|<link|<img|<iframe|<object|<embed|@import|[[:space:]]src=' report.html \
		|| fail "report.html loads something: $(grep -oiE '.{30}(<script|<link|<img|<iframe|@import| src=).{30}' report.html | head -3)"

	html_chromium --dump-dom "file://$PWD/report.html" >dom.html 2>dom.log || fail "chromium --dump-dom failed: $(tail -5 dom.log)"
	html_chromium --window-size=1280,2400 --screenshot="$PWD/report.png" "file://$PWD/report.html" >/dev/null 2>screenshot.log \
		|| fail "chromium --screenshot failed: $(tail -5 screenshot.log)"
	html_chromium --no-pdf-header-footer --print-to-pdf="$PWD/report.pdf" "file://$PWD/report.html" >/dev/null 2>print.log \
		|| fail "chromium --print-to-pdf failed: $(tail -5 print.log)"
	local console
	console=$(html_console_lines dom.log; html_console_lines screenshot.log; html_console_lines print.log)
	[ -z "$console" ] || fail "console messages while rendering report.html: $console"
	[ "$(head -c 4 report.pdf)" = "%PDF" ] || fail "the printed report is not a PDF"
	/usr/bin/python3 - <<'EOF' || fail "report.png is not a 1280 px wide PNG"
import struct
data = open("report.png", "rb").read(24)
assert data[:8] == b"\x89PNG\r\n\x1a\n", data
width, height = struct.unpack(">II", data[16:24])
assert width == 1280 and height > 0, (width, height)
EOF
	/usr/bin/python3 - <<'EOF' || fail "the rendered page's structure is wrong (dom.html)"
import json
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svgs, self.loads, self.text = [], [], [], []
        self.rows, self.in_table = 0, False
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svgs.append({"title": None, "bars": 0, "first": True})
        elif self.svgs and self.stack and self.stack[-1] == "svg" and self.svgs[-1]["first"]:
            self.svgs[-1]["first"] = tag == "title" and "title"
        if tag in ("rect", "circle", "polygon") and self.svgs:
            self.svgs[-1]["bars"] += 1
        if "src" in attrs or (tag == "link" and "href" in attrs) or tag == "script":
            self.loads.append((tag, attrs))
        if tag == "section":
            self.in_table = attrs.get("id") == "table"
        if tag == "tr" and self.in_table:
            self.rows += 1
        self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_data(self, data):
        self.text.append(data)
        if self.svgs and self.stack and self.stack[-1] == "title" and self.svgs[-1]["first"] == "title":
            self.svgs[-1]["title"] = (self.svgs[-1]["title"] or "") + data

page = Page()
page.feed(open("dom.html").read())
text = " ".join(page.text)
assert not page.loads, page.loads
# Latency, RAM and flash, accuracy, Pareto: each an SVG whose first child is
# a title naming the figure's source.
assert len(page.svgs) >= 4, len(page.svgs)
for svg in page.svgs:
    assert svg["title"] and "Source: " in svg["title"], svg
    assert svg["bars"] > 0, svg
titles = [svg["title"] for svg in page.svgs]
assert any("Latency" in t and "derived from emulated instruction counts, assumes 1 instruction per cycle" in t for t in titles), titles
assert any("accuracy" in t for t in titles), titles
# Both boards, with their verified level, in the charts' board headings.
for board in ("qemu-m3", "qemu-m4"):
    assert board + ", Arm MPS2+" in text and "(verified: emulated)" in text, board
# The full table: a heading and every row of the report's table, energy
# (no record has it) absent as no data.
rows = len(json.load(open("table.json"))["rows"])
assert rows >= 3 and page.rows == 1 + rows, (page.rows, rows)
assert "no data" in text
assert "qualify, best first by latency" in text, "selection"
assert "non-dominated" in text, "Pareto view"
EOF
}
