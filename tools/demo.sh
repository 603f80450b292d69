#!/usr/bin/env bash
# Fresh Debian 12: installs what is missing, builds SafeShm and runs the demo of
# the production scenario (8 workers rewriting one key), beside sysvshm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
exec php -d extension="$(pwd)/modules/safeshm.so" demo/demo.php "$@"
