#!/bin/sh
# tests/fleet/run-test.sh TMPDIR EAVES_BIN: the fleet playbook against this
# machine. Starts its own sshd on 127.0.0.1 (a free port, keys made here), an
# inventory of three hosts: board-a and board-b both point at it (different
# --device; board-b's PATH hides gnuplot), board-down at a closed port. Runs
# scripts/fleet/run twice (the second must skip both fetched hosts) and leaves
# the files for tests/test-fleet.c to check. Exit 77: cannot run here (why on
# stdout).
set -u
tmp=$1 bin=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
for t in ansible-playbook ansible-inventory ssh ssh-keygen python3; do
	command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed (Debian: ansible-core, openssh-client)"; exit 77; }
done
sshd=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd" ] || { echo "skip: sshd is not installed (Debian: openssh-server)"; exit 77; }
mkdir -p "$tmp/ssh" && chmod 700 "$tmp/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/host_key" </dev/null >/dev/null || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh/id" </dev/null >/dev/null || exit 1
cp "$tmp/ssh/id.pub" "$tmp/ssh/authorized_keys" && chmod 600 "$tmp/ssh/authorized_keys"
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
port=${ports% *} closed=${ports#* }
user=$(id -un)
cat > "$tmp/ssh/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $tmp/ssh/host_key
AuthorizedKeysFile $tmp/ssh/authorized_keys
PidFile $tmp/ssh/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AllowUsers $user
CFG
[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
"$sshd" -f "$tmp/ssh/sshd_config" -D -e >"$tmp/ssh/sshd.log" 2>&1 &
sshd_pid=$!
trap 'kill $sshd_pid 2>/dev/null' EXIT
opts="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=5"
up=0
for i in $(seq 1 50); do
	if ssh $opts -i "$tmp/ssh/id" -p "$port" "$user@127.0.0.1" true 2>/dev/null; then up=1; break; fi
	sleep 0.2
done
[ $up = 1 ] || { echo "skip: the test's own sshd did not accept a login: $(tail -3 "$tmp/ssh/sshd.log" | tr '\n' ' ')"; exit 77; }

cat > "$tmp/inventory.ini" <<INV
[boards]
board-a    ansible_port=$port eaves_device=rpi5 eaves_remote_dir=$tmp/host-a
board-b    ansible_port=$port eaves_device=orangepi5_rk3588s eaves_remote_dir=$tmp/host-b eaves_env='{"PATH": "/nonexistent"}'
board-down ansible_port=$closed eaves_remote_dir=$tmp/host-down

[boards:vars]
ansible_host=127.0.0.1
ansible_user=$user
ansible_ssh_private_key_file=$tmp/ssh/id
ansible_python_interpreter=/usr/bin/python3
ansible_ssh_common_args='$opts'
eaves_profile=$src/tests/fixtures/profiles/fleet.json
INV
# copy mode: the binary built here, with configs/
sh "$src/scripts/fleet/run" -i "$tmp/inventory.ini" --out "$tmp/fleet" --binary "$bin" \
	--args "--no-decode" >"$tmp/run1.out" 2>&1
echo "run1 exit $?" >> "$tmp/run1.out"
sh "$src/scripts/fleet/run" -i "$tmp/inventory.ini" --out "$tmp/fleet" --binary "$bin" \
	--args "--no-decode" >"$tmp/run2.out" 2>&1
echo "run2 exit $?" >> "$tmp/run2.out"
exit 0
