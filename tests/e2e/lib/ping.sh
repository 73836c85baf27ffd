# ping.sh -- `ping -c N` exits 0 when any reply comes back; these tests
# claim every reply, so they check the count.
#
#   ping_exact N OUT CMD...   run CMD (a ping with -c N, maybe under
#                             ip netns exec) with its output in OUT; return
#                             0 only when N were sent and N received
ping_exact() {
	local n=$1 out=$2; shift 2
	"$@" >"$out" 2>&1 || true
	grep -qE "^$n packets transmitted, $n (packets )?received" "$out"
}
# "N transmitted, M received" from a ping output, for messages.
ping_summary() { grep -oE '[0-9]+ packets transmitted, [0-9]+ (packets )?received' "$1" || echo "no ping summary"; }
