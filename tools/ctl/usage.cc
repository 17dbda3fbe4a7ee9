#include "tools/ctl/usage.h"

namespace paxoskv::ctl {

std::string_view general_help() {
  return R"help(paxoskvctl: the command-line client of a paxoskv cluster

Usage:
  paxoskvctl [GLOBAL OPTIONS] COMMAND [ARGUMENTS] [OPTIONS]

Commands:
  put KEY VALUE             store VALUE under KEY ("-" reads VALUE from stdin)
  get KEY                   print KEY's value
  del KEY                   delete KEY
  cas KEY VERSION VALUE     store VALUE only if KEY is at VERSION (0: only if absent)
  ls [PREFIX]               list the keys under PREFIX with their values
  watch KEY                 print every new version of KEY as it arrives
  watch --prefix PREFIX     print every change under PREFIX as it arrives
  status                    show each endpoint's replica, reachable peers and index
  member list               show the cluster's members and configuration version
  member add ID HOST:PORT   add replica ID, reached by peers at HOST:PORT
  member remove ID          remove replica ID from the cluster
  token create NAME --role ROLE [--prefix PREFIX]
                            make a token (read, readwrite or admin) for the keys
                            under PREFIX; prints it once
  token list                show the tokens' names, roles and prefixes
  token revoke NAME         revoke token NAME on every replica
  lock NAME [-- COMMAND]    hold lock NAME (waiting for it while held) while
                            COMMAND runs, or until stopped; prints the fencing
                            token
  elect NAME VALUE          campaign to lead NAME as VALUE; lead until stopped
  elect --listen NAME       print NAME's leader, and every new one
  snapshot save FILE        save a consistent snapshot of the cluster to FILE
  help [COMMAND]            show this help, or COMMAND's (also: COMMAND --help)

Global options (before or after the command):
  --endpoints LIST          replicas' client addresses, HOST:PORT,HOST:PORT,...
                            (default: $PAXOSKV_ENDPOINTS, else
                            127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003);
                            https://HOST:PORT for HTTPS, http://HOST:PORT for
                            plain HTTP
  --cacert FILE             HTTPS: trust servers whose certificate this CA
                            signed (default: the system's CAs); the certificate
                            must name the endpoint's host
  --cert FILE, --key FILE   HTTPS: this client's certificate and key, for
                            replicas that ask for one
                            (any of these three makes HTTPS the default)
  -o, --output FORMAT       human (default) or json
  --token TOKEN             sent as "Authorization: Bearer TOKEN" when the
                            cluster has authentication on (default:
                            $PAXOSKV_TOKEN)
  --timeout DURATION        for each request: connect, send, answer (default
                            10s, above a replica's own 5s quorum timeout);
                            like 500ms, 5s, 2m, 1h, 1m30s or 1.5s, or a
                            number of seconds
  -h, --help                show help
  --version                 print paxoskvctl's version

Endpoints: a request goes to the endpoints in order, starting from the first,
and moves on to the next only when one cannot be reached (connection refused or
timed out). An HTTP answer, even an error, is final. A write is not sent again
once it may have reached a replica that then gave no answer: its outcome is
unknown (exit 3). Watches move to the next endpoint when theirs goes away and
resume from where they were.

Keys are any bytes but NUL, '/' included; they are percent-encoded in the URL.
Values are printed as raw bytes. Write "--" before an argument that starts with
"-" (paxoskvctl put -- k -1).

Exit codes:
  0  success
  1  the key is absent (get, del); the id is not a member (member remove)
  2  usage error
  3  no quorum (503): for a write, the outcome is unknown (a later read tells);
     also a write whose endpoint failed before answering; a member change
     that got 503 may still go on (member list tells)
  4  version conflict (cas, --cas); member add: the id is in use or was used
     before (ids are never reused); member remove: the last member
  5  no endpoint reachable
  6  any other error
  7  the replica was removed from the cluster (410): it serves no more
     requests; use another member's endpoint
  8  no space (507): the replica's disk is (almost) full; the write was not
     done
  9  unauthenticated (401): no token, or one the cluster does not know
  10 permission denied (403): the token's role or prefix does not allow it
  11 lock or leadership lost: its lease ran out or was revoked
Errors are reported on stderr as "paxoskvctl: ...".
)help";
}

std::string_view command_help(Command command) {
  switch (command) {
    case Command::put:
      return R"help(Usage: paxoskvctl put KEY VALUE [--cas VERSION]

Stores VALUE under KEY, whatever KEY holds, and prints the key's new version
("OK v3"; with -o json the server's {"key","version"}). VALUE "-" reads the
value, any bytes, from stdin.

Options:
  --cas VERSION   only if KEY is present at VERSION; --cas 0: only if KEY is
                  absent. Otherwise exit 4, printing the key's current version.

A write is acknowledged once a majority of replicas has it. If the replica
answers 503 (no quorum), or fails before answering, the write may or may not
have happened: paxoskvctl says "outcome unknown" and exits 3.
)help";
    case Command::get:
      return R"help(Usage: paxoskvctl get KEY [--local]

Prints KEY's value as raw bytes (a newline is added only when stdout is a
terminal). With -o json: {"key","value","version"}, the value as
"value_base64" when it is not UTF-8. Exits 1 if KEY is absent.

Options:
  --local   read the replica's own applied state: fast, works without a
            quorum, but possibly stale. The default read is linearizable.
)help";
    case Command::del:
      return R"help(Usage: paxoskvctl del KEY [--cas VERSION]

Deletes KEY and prints its new version ("OK v4"). Exits 1 if KEY is absent.

Options:
  --cas VERSION   only if KEY is at VERSION (exit 4 otherwise).
)help";
    case Command::cas:
      return R"help(Usage: paxoskvctl cas KEY EXPECTED_VERSION VALUE

Compare-and-set: stores VALUE under KEY only if KEY is present at
EXPECTED_VERSION (0: only if KEY is absent), and prints the new version.
On a mismatch exits 4, printing the key's current version. VALUE "-" reads
stdin. The same as: paxoskvctl put KEY VALUE --cas EXPECTED_VERSION
)help";
    case Command::ls:
      return R"help(Usage: paxoskvctl ls [PREFIX] [--limit N]

Lists the keys that start with PREFIX (all keys without one) in key order, one
"key = value (vN)" a line; with -o json, one array of {"key","value","version"}.
Pages through the whole listing. Reads one replica's applied state.

Options:
  --limit N   stop after N keys.
)help";
    case Command::watch:
      return R"help(Usage: paxoskvctl watch KEY [--from-version N]
       paxoskvctl watch --prefix PREFIX [--from-index I]

Runs until interrupted, printing each change as the replica applies it.

watch KEY prints "vN value" for each new version of KEY, or "vN <deleted>".
It starts from KEY's current version (printing only later changes); with
--from-version N it prints the first version above N at once, if there is
one. Versions that follow each other quickly may be seen only as the last.

watch --prefix PREFIX prints "index key vN value" (or "index key vN
<deleted>") for each change of a key under PREFIX, in the replica's order;
index is that replica's change index. It starts from the replica's current
index, or from --from-index I.

With -o json, each change is one JSON object a line: {"key","value","version",
"deleted"}, and "index" for a prefix watch.

When the endpoint goes away, the watch moves to the next endpoint and resumes:
a key watch from the last version it printed; a prefix watch lists the prefix
there, prints the keys whose version is above any it knew of them (and the
keys it knew that are now gone: "<deleted>"), all with that listing's index,
and goes on from that replica's own index (indexes differ between replicas).
A change that replica applies late, after the watch printed it, is not
printed twice.
)help";
    case Command::member:
      return R"help(Usage: paxoskvctl member list
       paxoskvctl member add ID HOST:PORT
       paxoskvctl member remove ID

member list shows the members of the cluster as the endpoint's replica knows
them, one "ID PEER_ADDRESS STATE" a line (STATE: member; while a change runs,
joining or leaving), then the configuration version and the ids retired.
A removed replica still answers it, with what it knew when it was removed.

member add ID HOST:PORT adds replica ID, which its peers reach at HOST:PORT
(its --peer-listen address). It returns once the new configuration is in
force, without waiting for the new replica to start: start it promptly, with
  paxoskv --join --id ID --cluster ID=HOST:PORT,<a member's ID=HOST:PORT> ...
until it runs, the cluster needs the other members all the more. Ids are never
reused: an id that is or was a member is refused (exit 4).

member remove ID removes replica ID (any member, also the one asked); it
returns once ID counts for no quorum. ID then answers every client request
with 410 and may be stopped. The last member cannot be removed (exit 4); an
id that is not a member gives exit 1.

A change carries every key over to the new configuration before it returns:
with many keys that takes minutes, so add and remove wait up to an hour
beyond --timeout. Interrupted, the change goes on; member list tells. One
change runs at a time; writes and reads keep working meanwhile, as long as
a majority of the old and of the new members is up. Exit 3 (no quorum): the
change may still go on.

With -o json: the server's {"members":[{"id","peer_address"}...],
"config_version", "retired", and "leaving" while a change runs}.
)help";
    case Command::token:
      return R"help(Usage: paxoskvctl token create NAME --role ROLE [--prefix PREFIX]
       paxoskvctl token list
       paxoskvctl token revoke NAME

Tokens exist once the replicas run with --auth-root-token-file; these commands
need an admin token (--token or $PAXOSKV_TOKEN), the root token included.

token create makes token NAME (1 to 64 of A-Z a-z 0-9 . _ -) with ROLE: read
(get, ls, watch of keys under PREFIX), readwrite (also put, cas, del there) or
admin (everything; no PREFIX). It prints the token, which is shown only this
once (the cluster keeps its SHA-256). A name in use gives exit 4.
token list prints "NAME ROLE PREFIX" a line, never a token.
token revoke NAME revokes it: within a second no replica accepts it. An
unknown NAME gives exit 1.
With -o json: the server's answers ({"name","token"}, {"tokens":[...]},
{"name"}).
)help";
    case Command::lock:
      return R"help(Usage: paxoskvctl lock NAME [--ttl DURATION] [-- COMMAND [ARG...]]

Takes the lock NAME: the key NAME, written only while absent and attached to a
lease of --ttl (default 10s, 1s to 1h) that paxoskvctl keeps alive. While
another holds it, waits until it is released or its holder's lease runs out.
Once held, prints "NAME FENCING_TOKEN": the key's version, larger for every
later holder, for the protected resource to refuse an older holder's writes.
Then runs COMMAND with PAXOSKV_LOCK_KEY, PAXOSKV_LOCK_FENCING_TOKEN and
PAXOSKV_LEASE_ID in its environment, and releases the lock when it ends,
exiting with its status. Without COMMAND, holds the lock until SIGINT or
SIGTERM (passed on to COMMAND when there is one).
If the lease is lost (no keepalive answered for the TTL, or revoked), COMMAND
gets SIGTERM and paxoskvctl exits 11: the lock may be someone else's by then.
With -o json: {"key","version","lease"}.
)help";
    case Command::elect:
      return R"help(Usage: paxoskvctl elect NAME VALUE [--ttl DURATION]
       paxoskvctl elect --listen NAME

Campaigns to lead NAME: writes the key NAME = VALUE only while absent, attached
to a lease of --ttl (default 10s, 1s to 1h) kept alive while leading; waits
while another leads. Once elected prints VALUE and leads until SIGINT or
SIGTERM, then resigns (the next campaigner is elected at once). Exits 11 if
the lease is lost.
--listen prints the current leader's VALUE, then each new leader's as it is
elected. The leader's term is the key's version (with -o json:
{"key","leader","version"}; "leader" null while there is none).
)help";
    case Command::snapshot:
      return R"help(Usage: paxoskvctl snapshot save FILE

Saves a snapshot of the first reachable endpoint's replica to FILE: every write
acknowledged before the request began, with keys' versions and deleted keys'
versions (see "paxoskv restore"). Needs an admin token when authentication is
on. Verifies the snapshot's checksum as it arrives and writes FILE atomically:
on a bad or broken-off answer FILE is left as it was and the exit status is 6
(3 if not every replica answered the snapshot's barrier). Waits up to 10 minutes
beyond --timeout for the answer to start: the replica first pulls what its peers
changed, which after a restore is every key once.
With -o json: {"file","records","bytes"}.
)help";
    case Command::status:
      return R"help(Usage: paxoskvctl status

Asks every endpoint (not just the first that answers) for /v1/status and shows,
for each: the replica's id, how many replicas it reaches out of how many and
whether that makes a quorum, its change index, and each member's state.
With -o json: an array of {"endpoint", "status": {...}} or {"endpoint",
"error"}. Exits 5 if no endpoint answers.
)help";
  }
  return general_help();
}

}  // namespace paxoskv::ctl
