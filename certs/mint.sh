#!/usr/bin/env bash
# Mints a throwaway CA and a serving certificate for the injector webhook (openssl only).
#
#   certs/mint.sh [--force] [DIR]      DIR defaults to the directory of this script (certs/)
#
# Writes DIR/ca.crt, DIR/ca.key, DIR/tls.crt, DIR/tls.key: EC P-256, 365 days, serverAuth, for
# localhost, injector, injector.injector-system, injector.injector-system.svc,
# injector.injector-system.svc.cluster.local and 127.0.0.1.
# Idempotent: does nothing while the existing files are valid for at least another day, unless --force.
# Never commit the keys (.gitignore ignores certs/*.key, *.crt, *.pem).
set -euo pipefail

force=0
dir=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mint.sh: unknown option $arg" >&2; exit 2 ;;
    *) dir="$arg" ;;
  esac
done
dir="${dir:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
mkdir -p "$dir"

days=365
names=(localhost injector injector.injector-system injector.injector-system.svc injector.injector-system.svc.cluster.local)
san="$(printf 'DNS:%s,' "${names[@]}")IP:127.0.0.1"

valid() {
  [[ -s "$dir/ca.crt" && -s "$dir/ca.key" && -s "$dir/tls.crt" && -s "$dir/tls.key" ]] || return 1
  openssl x509 -in "$dir/tls.crt" -noout -checkend 86400 >/dev/null 2>&1 || return 1
  openssl verify -CAfile "$dir/ca.crt" "$dir/tls.crt" >/dev/null 2>&1 || return 1
  # The key must belong to the certificate.
  [[ "$(openssl x509 -in "$dir/tls.crt" -noout -pubkey 2>/dev/null)" == "$(openssl pkey -in "$dir/tls.key" -pubout 2>/dev/null)" ]] || return 1
}

if [[ $force -eq 0 ]] && valid; then
  echo "mint.sh: valid certificates already in $dir (use --force to replace them)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077

openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca.ec.key"
openssl pkcs8 -topk8 -nocrypt -in "$work/ca.ec.key" -out "$work/ca.key"
openssl req -x509 -new -sha256 -days "$days" -key "$work/ca.key" -subj "/CN=injector-ca" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -out "$work/ca.crt"

openssl ecparam -name prime256v1 -genkey -noout -out "$work/tls.ec.key"
openssl pkcs8 -topk8 -nocrypt -in "$work/tls.ec.key" -out "$work/tls.key"
openssl req -new -sha256 -key "$work/tls.key" -subj "/CN=injector.injector-system.svc" -out "$work/tls.csr"
cat > "$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
openssl x509 -req -sha256 -days "$days" -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>/dev/null

openssl verify -CAfile "$work/ca.crt" "$work/tls.crt" >/dev/null

# Keys first, then certificates: a reader never sees a new certificate with an old key for long,
# and the webhook's reloader retries a mismatched pair when the bytes change again.
install -m 600 "$work/ca.key" "$dir/ca.key"
install -m 600 "$work/tls.key" "$dir/tls.key"
install -m 644 "$work/ca.crt" "$dir/ca.crt"
install -m 644 "$work/tls.crt" "$dir/tls.crt"
echo "mint.sh: wrote ca.crt, ca.key, tls.crt, tls.key to $dir"
