#!/bin/sh
# `tamperscope report` and `analyze --html`: renderers, escaping, and the
# HTML page in headless Chromium (skipped only when chromium is missing).
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/report_html.py
