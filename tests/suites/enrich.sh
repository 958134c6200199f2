#!/bin/sh
# Enrichment: ASN/country from tiny .mmdb files built in the test, PSL.
cd "$(dirname "$0")/../.." && exec /usr/bin/python3 tests/suites/enrich.py
