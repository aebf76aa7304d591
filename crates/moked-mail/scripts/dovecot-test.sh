#!/bin/sh
# A private dovecot IMAP server for tests: its own config, passwd-file
# auth, Maildir and log in one directory, on a loopback port; no system
# service is touched. Idempotent: `start` on a running instance does nothing.
#
#   dovecot-test.sh start   DIR PORT USER PASSWORD
#   dovecot-test.sh deliver DIR USER FILE...   (into the user's Maildir/new)
#   dovecot-test.sh stop    DIR
#
# Needs Debian's dovecot-imapd. Mail is owned by nobody: dovecot refuses to
# serve mail as root.
set -eu

cmd=${1:?command}
dir=${2:?directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/dovecot.conf"

running() {
    [ -f "$dir/run/master.pid" ] && kill -0 "$(cat "$dir/run/master.pid")" 2>/dev/null
}

case "$cmd" in
start)
    port=${3:?port} user=${4:?user} password=${5:?password}
    if running; then exit 0; fi
    mkdir -p "$dir/run" "$dir/state" "$dir/mail/$user/Maildir/new" "$dir/mail/$user/Maildir/cur" "$dir/mail/$user/Maildir/tmp"
    printf '%s:{PLAIN}%s\n' "$user" "$password" > "$dir/passwd"
    cat > "$conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 65534
mail_location = maildir:$dir/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
    chown -R 65534:65534 "$dir/mail"
    # Its own output goes to a file: a daemon holding our stdout open would
    # keep a caller waiting for the end of it forever.
    dovecot -c "$conf" </dev/null >"$dir/startup.log" 2>&1
    # Ready once the port answers with a greeting.
    for _ in $(seq 1 100); do
        if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 4 <&3" 2>/dev/null | grep -q '^\* OK'; then exit 0; fi
        sleep 0.1
    done
    cat "$dir/startup.log" >&2
    echo "dovecot did not start, see $dir/dovecot.log" >&2
    exit 1
    ;;
deliver)
    user=${3:?user}
    shift 3
    n=0
    for file in "$@"; do
        n=$((n + 1))
        name="$(date +%s).M$$P$n.moked-test"
        cp "$file" "$dir/mail/$user/Maildir/tmp/$name"
        chown 65534:65534 "$dir/mail/$user/Maildir/tmp/$name"
        mv "$dir/mail/$user/Maildir/tmp/$name" "$dir/mail/$user/Maildir/new/$name"
    done
    ;;
stop)
    if running; then
        pid=$(cat "$dir/run/master.pid")
        kill "$pid"
        # Gone only when the port is free again for the next start.
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
