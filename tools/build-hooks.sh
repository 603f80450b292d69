#!/usr/bin/env bash
# Builds build-hooks/modules/safeshm.so with the fault-injection hooks (tests only).
exec bash "$(dirname "$0")/build-variant.sh" hooks
