#!/bin/sh
# Regenerates docs/EVENTS.md from EventCatalogue (the test that compares them writes it instead).
set -eu
cd "$(dirname "$0")/.."
BAHI_WRITE_EVENTS_MD=1 swift test --filter EventCatalogueTests
git diff --stat -- docs/EVENTS.md
