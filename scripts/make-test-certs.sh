#!/usr/bin/env bash
# Makes a CA and certificates for a cluster: scripts/make-test-certs.sh DIR. Without DIR it makes
# the TLS fixtures of the tests in net/testdata/tls (committed; run again only to change them):
# a cluster CA, a certificate per node naming the node id (subject CN and a DNS subject alt name),
# a client certificate, and a foreign CA with node certificates of its own (strangers that claim to
# be n1, and n3). Valid for 100 years. The committed fixtures are TEST KEYS ONLY: never use them for a
# real cluster; make your own with a DIR of yours.
set -euo pipefail
out="${1:-$(dirname "$0")/../net/testdata/tls}"
mkdir -p "$out"
cd "$out"
days=36500
ca() { # name subject
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.crt" -days $days -subj "/CN=$2" 2>/dev/null
}
leaf() { # name cn ca eku
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=%s\n' "$2" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -out "$1.crt" -days $days -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
ca ca "LifeRaft test cluster CA"
for n in n1 n2 n3 n4 n5; do leaf "$n" "$n" ca serverAuth,clientAuth; done
leaf client client ca clientAuth
leaf server localhost ca serverAuth
ca foreign-ca "Someone else's CA"
leaf stranger n1 foreign-ca serverAuth,clientAuth
leaf stranger-n3 n3 foreign-ca serverAuth,clientAuth
rm -f ./*.srl
echo "wrote $(ls | wc -l) files to $out"
