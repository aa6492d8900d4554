#!/usr/bin/env bash
# Installs what the end-to-end tests drive (sipp, baresip, espeak-ng, kamailio, chromium for the workspace pages) and starts MariaDB when it is not running.
# Idempotent: does nothing when everything is there.
set -euo pipefail
need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
command -v sox >/dev/null 2>&1 || need+=(sox)
# The IVR's `speak` node synthesises with espeak-ng (test/unit/media/espeak-synthesizer.test.ts).
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ -x /usr/bin/chromium ] || need+=(chromium)
# The carrier's SBC of the trunks test (test/e2e/trunks-kamailio.test.ts, test/kamailio/carrier-sbc.cfg).
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
# A Chinese font, so the screenshots of the pages are readable (servers have none by default).
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} with apt-get"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${TEST_SKIP_MARIADB:-}" != "1" ] && ! mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && break; sleep 1; done
fi
