#!/usr/bin/env bash
# Benchmark harness, not product: installs the peer tool ethereum-etl 2.4.2 into its OWN
# virtualenv (it pins web3 5.x, which cannot share txmon's environment) and adds the
# sitecustomize.py shim it needs on Python 3.11. Idempotent.
#
#   bench/peer/setup_ethereum_etl.sh [VENV]     default: $HOME/.cache/txmon/peer-venv
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${1:-${TXMON_PEER_VENV:-$HOME/.cache/txmon/peer-venv}}
python=${PYTHON:-python3}

if [[ ! -x $venv/bin/ethereumetl ]]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet ethereum-etl==2.4.2
fi
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp "$here/sitecustomize.py" "$site/sitecustomize.py"
"$venv/bin/ethereumetl" --version >/dev/null
echo "$venv/bin/ethereumetl"
