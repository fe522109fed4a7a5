#!/bin/sh
# Builds the peers of benchmarks/codec-speed.bench.ts (issue 22) outside the repository, in
# $PEERS (default /tmp/peers), and writes $PEERS/driver.sh, the command WIRE5G_PEER_CMD names.
# Needs: Debian golang-go (1.19), golang-github-sirupsen-logrus-dev, gcc, autoconf, automake,
# libtool, bison, flex; and the sources at the commits of docs/decisions/codec-speed.md unpacked as
#   $PEERS/go/src/github.com/wmnsk/go-pfcp, .../wmnsk/go-gtp, .../free5gc/nas,
#   .../tim-ywliu/nested-logrus-formatter, and $PEERS/asn1c (mouse07410/asn1c vlm_master).
# The Go module proxy is not used: GOPATH mode with Debian's Go libraries.
set -e
PEERS=${PEERS:-/tmp/peers}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# Go: go-pfcp, go-gtp, free5gc/nas in one timing program
mkdir -p "$PEERS/go/src/peerbench"
cp "$HERE/peers.go" "$PEERS/go/src/peerbench/main.go"
(cd "$PEERS/go" && GOPATH="$PEERS/go:/usr/share/gocode" GO111MODULE=off go build -o "$PEERS/gopeer" peerbench)
# asn1c APER: the NGAP modules with OCTET STRING (CONTAINING X) as OCTET STRING (not PER-visible)
if [ ! -x "$PEERS/asn1c/asn1c/asn1c" ]; then (cd "$PEERS/asn1c" && autoreconf -i && ./configure && make -j2); fi
mkdir -p "$PEERS/ngap/asn" "$PEERS/ngap/gen" "$PEERS/ngap/obj"
for f in "$REPO"/../shared/spec/ngap-38413-h40/*.asn "$REPO"/spec/ngap-38413-h40/*.asn; do
  [ -f "$f" ] && sed -E 's/OCTET STRING \(CONTAINING[[:space:]]+[A-Za-z0-9-]+[[:space:]]*\)/OCTET STRING/g' "$f" > "$PEERS/ngap/asn/$(basename "$f")"
done
(cd "$PEERS/ngap/gen" && "$PEERS/asn1c/asn1c/asn1c" -S "$PEERS/asn1c/skeletons" -fcompound-names -findirect-choice -fno-include-deps \
  -no-gen-BER -no-gen-XER -no-gen-OER -no-gen-UPER -no-gen-random-fill -no-gen-example ../asn/*.asn > ../asn1c.log)
DEFS="-DASN_DISABLE_BER_SUPPORT -DASN_DISABLE_XER_SUPPORT -DASN_DISABLE_OER_SUPPORT -DASN_DISABLE_UPER_SUPPORT -DASN_DISABLE_RFILL_SUPPORT -DASN_PDU_COLLECTION"
(cd "$PEERS/ngap/gen" && ls *.c | xargs -P 2 -I{} sh -c "gcc -O2 -w -I. $DEFS -c {} -o ../obj/\$(basename {} .c).o")
ar rcs "$PEERS/ngap/libngap.a" "$PEERS"/ngap/obj/*.o
gcc -O2 -I"$PEERS/ngap/gen" $DEFS "$HERE/ngap-asn1c.c" "$PEERS/ngap/libngap.a" -o "$PEERS/ngapbench" -lm
# the Deletion Response with a Usage Report, as benchmarks/codec-speed.bench.ts builds it
(cd "$REPO" && node --import tsx --input-type=module -e "
import * as P from './codecs/pfcp/index.ts';
const m = P.encodePfcp(P.sessionDeletionResponse(7, 5n, P.PfcpCause.RequestAccepted, { urSeqn: 3, trigger: P.UsageReportTrigger.TERMR, startTime: 1, endTime: 6,
  volume: { total: 3000n, uplink: 1000n, downlink: 2000n, totalPackets: 6n, uplinkPackets: 3n, downlinkPackets: 3n }, durationSeconds: 5 }));
console.log(Buffer.from(m).toString('hex'));") > "$PEERS/ur.hex"
cat > "$PEERS/driver.sh" <<EOD
#!/bin/sh
# the vectors of the checkout whose bench runs this (benchmarks/codec-speed.bench.ts sets it),
# else of the checkout that built the peers
V=\${WIRE5G_PEER_VECTORS:-$REPO/test/vectors/shared}
G=\$($PEERS/gopeer \$V \$(cat $PEERS/ur.hex)) || exit 1
C=\$($PEERS/ngapbench \$V) || exit 1
printf '%s\n%s\n' "\$G" "\$C" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o={};for(const l of s.trim().split("\n"))Object.assign(o,JSON.parse(l));console.log(JSON.stringify(o))})'
EOD
chmod +x "$PEERS/driver.sh"
echo "WIRE5G_PEER_CMD=$PEERS/driver.sh"
