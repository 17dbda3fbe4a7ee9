#include "tools/ctl/arguments.h"

#include <catch2/catch.hpp>

#include "tools/ctl/exit_code.h"

namespace paxoskv::ctl {
namespace {

ParsedCommandLine parse(std::vector<std::string> args,
                        std::optional<std::string_view> env = std::nullopt) {
  return parse_arguments(args, env);
}

Invocation invocation(std::vector<std::string> args,
                      std::optional<std::string_view> env = std::nullopt) {
  return std::get<Invocation>(parse(std::move(args), env));
}

TEST_CASE("put with defaults") {
  const Invocation put = invocation({"put", "config/app/db", "postgres://db"});
  CHECK(put.command == Command::put);
  CHECK(put.key == "config/app/db");
  CHECK(put.value == "postgres://db");
  CHECK_FALSE(put.value_from_stdin);
  CHECK_FALSE(put.expected_version);
  CHECK(put.output == OutputFormat::human);
  CHECK(put.timeout == std::chrono::seconds(10));
  REQUIRE(put.endpoints.size() == 3);
  CHECK(put.endpoints[0] == Endpoint{"127.0.0.1", "8001", false});
  CHECK(put.endpoints[2] == Endpoint{"127.0.0.1", "8003", false});
}

TEST_CASE("global options before or after the command, both spellings") {
  const Invocation get = invocation(
      {"--endpoints", "a:1,b:2", "get", "k", "-o", "json", "--timeout=500ms", "--local"});
  CHECK(get.command == Command::get);
  CHECK(get.local);
  CHECK(get.output == OutputFormat::json);
  CHECK(get.timeout == std::chrono::milliseconds(500));
  CHECK(get.endpoints == std::vector<Endpoint>{{"a", "1", false}, {"b", "2", false}});
  CHECK(invocation({"get", "k", "--output=json"}).output == OutputFormat::json);
}

TEST_CASE("endpoints: flag over environment over default") {
  CHECK(invocation({"status"}, "h:9").endpoints == std::vector<Endpoint>{{"h", "9", false}});
  CHECK(invocation({"--endpoints", "x:1", "status"}, "h:9").endpoints ==
        std::vector<Endpoint>{{"x", "1", false}});
  CHECK(invocation({"status"}, "").endpoints.size() == 3);
}

TEST_CASE("endpoint lists") {
  CHECK(parse_endpoints(" a:1 , http://b:2/,a:1") ==
        std::vector<Endpoint>{{"a", "1", false}, {"b", "2", false}});
  CHECK(parse_endpoints("[::1]:8001") == std::vector<Endpoint>{{"::1", "8001", false}});
  CHECK(Endpoint{"::1", "8001", false}.text() == "[::1]:8001");
  CHECK_THROWS_AS(parse_endpoints(""), UsageError);
  CHECK_THROWS_AS(parse_endpoints("a"), UsageError);
  CHECK_THROWS_AS(parse_endpoints("a:"), UsageError);
  CHECK_THROWS_AS(parse_endpoints("a:0"), UsageError);
  CHECK_THROWS_AS(parse_endpoints("a:65536"), UsageError);
  CHECK_THROWS_AS(parse_endpoints("::1:80"), UsageError);
  CHECK_THROWS_AS(parse_endpoints(":80"), UsageError);
}

TEST_CASE("https endpoints: by scheme, or by default with a TLS option") {
  CHECK(parse_endpoints("https://a:1,http://b:2,c:3") ==
        std::vector<Endpoint>{{"a", "1", true}, {"b", "2", false}, {"c", "3", false}});
  CHECK(parse_endpoints("http://b:2,c:3", true) ==
        std::vector<Endpoint>{{"b", "2", false}, {"c", "3", true}});
  const Invocation get = invocation({"--endpoints", "a:1", "get", "k", "--cacert", "ca.pem",
                                     "--cert=client.pem", "--key", "client.key"});
  CHECK(get.endpoints == std::vector<Endpoint>{{"a", "1", true}});
  CHECK(get.tls.trusted_ca_file == "ca.pem");
  CHECK(get.tls.cert_file == "client.pem");
  CHECK(get.tls.key_file == "client.key");
  CHECK(invocation({"--endpoints", "a:1", "get", "k"}).endpoints[0].https == false);
  CHECK_THROWS_AS(invocation({"get", "k", "--cert", "client.pem"}), UsageError);
}

TEST_CASE("put and del --cas, cas, stdin value") {
  const Invocation put = invocation({"put", "k", "-", "--cas", "0"});
  CHECK(put.value_from_stdin);
  CHECK(put.expected_version == 0u);
  CHECK(invocation({"del", "--cas=7", "k"}).expected_version == 7u);
  CHECK_FALSE(invocation({"del", "k"}).expected_version);

  const Invocation cas = invocation({"cas", "k", "3", "v"});
  CHECK(cas.command == Command::cas);
  CHECK(cas.expected_version == 3u);
  CHECK(cas.value == "v");
  CHECK_THROWS_AS(invocation({"cas", "k", "x", "v"}), UsageError);
  CHECK_THROWS_AS(invocation({"cas", "k", "-1", "v"}), UsageError);  // not an option either
  CHECK_THROWS_AS(invocation({"put", "k", "v", "--cas", "18446744073709551616"}), UsageError);
  CHECK(invocation({"put", "k", "v", "--cas", "18446744073709551615"}).expected_version ==
        18446744073709551615u);
}

TEST_CASE("-- ends the options") {
  const Invocation put = invocation({"put", "--", "-k", "--cas"});
  CHECK(put.key == "-k");
  CHECK(put.value == "--cas");
  CHECK_FALSE(put.expected_version);
  CHECK(invocation({"put", "k", ""}).value.empty());
}

TEST_CASE("ls") {
  const Invocation all = invocation({"ls"});
  CHECK(all.key.empty());
  CHECK_FALSE(all.limit);
  const Invocation some = invocation({"ls", "config/", "--limit", "10"});
  CHECK(some.key == "config/");
  CHECK(some.limit == 10u);
  CHECK_THROWS_AS(invocation({"ls", "--limit", "0"}), UsageError);
  CHECK_THROWS_AS(invocation({"ls", "a", "b"}), UsageError);
}

TEST_CASE("watch a key or a prefix") {
  const Invocation key = invocation({"watch", "k", "--from-version", "4"});
  CHECK_FALSE(key.watch_prefix);
  CHECK(key.key == "k");
  CHECK(key.from_version == 4u);

  const Invocation prefix = invocation({"watch", "--prefix", "config/", "--from-index", "9"});
  CHECK(prefix.watch_prefix);
  CHECK(prefix.key == "config/");
  CHECK(prefix.from_index == 9u);
  CHECK(invocation({"watch", "--prefix", ""}).key.empty());

  CHECK_THROWS_AS(invocation({"watch", "k", "--prefix", "p"}), UsageError);
  CHECK_THROWS_AS(invocation({"watch", "--prefix", "p", "--from-version", "1"}), UsageError);
  CHECK_THROWS_AS(invocation({"watch", "k", "--from-index", "1"}), UsageError);
  CHECK_THROWS_AS(invocation({"watch"}), UsageError);
}

TEST_CASE("lock NAME [-- COMMAND]") {
  const Invocation held = invocation({"lock", "locks/db", "--ttl", "5s"});
  CHECK(held.command == Command::lock);
  CHECK(held.key == "locks/db");
  CHECK(held.lease_ttl == std::chrono::seconds(5));
  CHECK(held.held_command.empty());
  const Invocation running = invocation({"lock", "locks/db", "--", "sh", "-c", "echo --ttl"});
  CHECK(running.lease_ttl == std::chrono::seconds(10));
  CHECK(running.held_command == std::vector<std::string>{"sh", "-c", "echo --ttl"});
  CHECK_THROWS_AS(parse({"lock"}), UsageError);
  CHECK_THROWS_AS(parse({"lock", "a", "b"}), UsageError);
  CHECK_THROWS_AS(parse({"lock", "a", "--ttl", "500ms"}), UsageError);
  CHECK_THROWS_AS(parse({"lock", "a", "--ttl", "2h"}), UsageError);
}

TEST_CASE("elect NAME VALUE, elect --listen NAME") {
  const Invocation campaign = invocation({"elect", "leader", "node-a", "--ttl", "3s"});
  CHECK(campaign.command == Command::elect);
  CHECK(campaign.key == "leader");
  CHECK(campaign.value == "node-a");
  CHECK_FALSE(campaign.elect_listen);
  CHECK(campaign.lease_ttl == std::chrono::seconds(3));
  const Invocation listen = invocation({"elect", "--listen", "leader"});
  CHECK(listen.elect_listen);
  CHECK(listen.key == "leader");
  CHECK_THROWS_AS(parse({"elect", "leader"}), UsageError);
  CHECK_THROWS_AS(parse({"elect", "--listen", "leader", "x"}), UsageError);
  CHECK_THROWS_AS(parse({"elect", "--listen", "leader", "--ttl", "3s"}), UsageError);
  CHECK_THROWS_AS(parse({"elect", "leader", "v", "--", "cmd"}), UsageError);
}

TEST_CASE("help and version") {
  CHECK_FALSE(std::get<HelpRequest>(parse({"--help"})).command);
  CHECK_FALSE(std::get<HelpRequest>(parse({"help"})).command);
  CHECK(std::get<HelpRequest>(parse({"put", "--help"})).command == Command::put);
  CHECK(std::get<HelpRequest>(parse({"put", "-h"})).command == Command::put);
  CHECK(std::get<HelpRequest>(parse({"help", "watch"})).command == Command::watch);
  // Help wins over what else is wrong on the line.
  CHECK(std::get<HelpRequest>(parse({"get", "--help"})).command == Command::get);
  CHECK(std::holds_alternative<VersionRequest>(parse({"--version"})));
  CHECK_THROWS_AS(parse({"help", "nope"}), UsageError);
}

TEST_CASE("usage errors") {
  CHECK_THROWS_AS(parse({}), UsageError);
  CHECK_THROWS_AS(parse({"frobnicate"}), UsageError);
  CHECK_THROWS_AS(parse({"--local", "get", "k"}), UsageError);  // a command option first
  CHECK_THROWS_AS(parse({"get", "k", "--cas", "1"}), UsageError);
  CHECK_THROWS_AS(parse({"get"}), UsageError);
  CHECK_THROWS_AS(parse({"get", ""}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "extra"}), UsageError);
  CHECK_THROWS_AS(parse({"put", "k"}), UsageError);
  CHECK_THROWS_AS(parse({"put", "k", "v", "--cas"}), UsageError);
  CHECK_THROWS_AS(parse({"put", "k", "v", "--cas", "1", "--cas", "2"}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "--local=yes"}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "-o", "yaml"}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "--timeout", "0s"}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "--timeout", "5x"}), UsageError);
  CHECK_THROWS_AS(parse({"get", "k", "--endpoints", "nope"}), UsageError);
  CHECK_THROWS_AS(parse({"status", "now"}), UsageError);

  try {
    parse({"get", "k", "--cas", "1"});
  } catch (const UsageError& error) {
    CHECK(error.code() == ExitCode::usage);
    CHECK(std::string(error.what()) == "unknown option --cas for get");
  }
}

TEST_CASE("member list, add, remove") {
  CHECK(invocation({"member", "list"}).command == Command::member);
  CHECK(invocation({"member", "list"}).member_action == MemberAction::list);
  const Invocation add = invocation({"member", "add", "4", "127.0.0.1:9004", "-o", "json"});
  CHECK(add.member_action == MemberAction::add);
  CHECK(add.member_id == 4);
  CHECK(add.peer_address == "127.0.0.1:9004");
  CHECK(add.output == OutputFormat::json);
  const Invocation remove = invocation({"member", "remove", "4294967295"});
  CHECK(remove.member_action == MemberAction::remove);
  CHECK(remove.member_id == 4294967295u);
  CHECK(std::get<HelpRequest>(parse({"member", "--help"})).command == Command::member);

  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"member"},
           {"member", "show"},
           {"member", "list", "1"},
           {"member", "add", "4"},
           {"member", "add", "4", "h:1", "extra"},
           {"member", "add", "0", "h:1"},
           {"member", "add", "4294967296", "h:1"},
           {"member", "add", "x", "h:1"},
           {"member", "add", "4", "no-port"},
           {"member", "remove"},
           {"member", "remove", "-1"},
           {"member", "remove", "1", "2"},
       }) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse(bad), UsageError);
  }
}

TEST_CASE("durations") {
  CHECK(parse_duration("--timeout", "5s") == std::chrono::seconds(5));
  CHECK(parse_duration("--timeout", "7") == std::chrono::seconds(7));
  CHECK(parse_duration("--timeout", "250ms") == std::chrono::milliseconds(250));
  CHECK(parse_duration("--timeout", "2m") == std::chrono::minutes(2));
  CHECK(parse_duration("--timeout", "1h") == std::chrono::hours(1));
  CHECK_THROWS_AS(parse_duration("--timeout", ""), UsageError);
  CHECK_THROWS_AS(parse_duration("--timeout", "s"), UsageError);
  CHECK_THROWS_AS(parse_duration("--timeout", "-1s"), UsageError);
  CHECK_THROWS_AS(parse_duration("--timeout", "25h"), UsageError);
  CHECK_THROWS_AS(parse_duration("--timeout", "99999999999999999999s"), UsageError);
  // The shared syntax: combinations and fractions too.
  CHECK(parse_duration("--timeout", "1m30s") == std::chrono::seconds(90));
  CHECK(parse_duration("--timeout", "1.5s") == std::chrono::milliseconds(1500));
  CHECK_THROWS_AS(parse_duration("--timeout", "0.1ms"), UsageError);
  CHECK(invocation({"lock", "l", "--ttl", "1.5m"}).lease_ttl == std::chrono::seconds(90));
}

TEST_CASE("options given twice, commands after --, words that name commands") {
  // A global option: the last one counts; a command's option or flag: refused.
  CHECK(invocation({"--timeout", "1s", "get", "k", "--timeout", "2s"}).timeout ==
        std::chrono::seconds(2));
  CHECK_THROWS_AS(parse({"get", "k", "--local", "--local"}), UsageError);
  CHECK_THROWS_AS(parse({"watch", "--prefix", "a", "--prefix", "b"}), UsageError);
  // The command may follow "--"; a key may be a command's name.
  const Invocation put = invocation({"--", "put", "k", "v"});
  CHECK(put.command == Command::put);
  CHECK(put.key == "k");
  CHECK(invocation({"put", "get", "status"}).key == "get");
  CHECK(invocation({"put", "help", "v"}).key == "help");
  CHECK(invocation({"put", "k", "-"}).value_from_stdin);
  CHECK_THROWS_WITH(parse({"--local", "get", "k"}),
                    "unknown option --local (a command's options come after it)");
  CHECK_THROWS_WITH(parse({"frobnicate"}), "unknown command 'frobnicate'");
}

TEST_CASE("token: flag over environment; token commands") {
  CHECK(invocation({"status"}).token.empty());
  const std::vector<std::string> args{"token", "list"};
  CHECK(std::get<Invocation>(parse_arguments(args, std::nullopt, "from-env")).token == "from-env");
  const std::vector<std::string> flagged{"--token", "from-flag", "token", "list"};
  CHECK(std::get<Invocation>(parse_arguments(flagged, std::nullopt, "from-env")).token ==
        "from-flag");

  const Invocation create =
      invocation({"token", "create", "app", "--role", "readwrite", "--prefix", "config/app/"});
  CHECK(create.command == Command::token);
  CHECK(create.token_action == TokenAction::create);
  CHECK(create.token_name == "app");
  CHECK(create.token_role == "readwrite");
  CHECK(create.token_prefix == "config/app/");
  const Invocation revoke = invocation({"token", "revoke", "app"});
  CHECK(revoke.token_action == TokenAction::revoke);
  CHECK(revoke.token_name == "app");
  CHECK_THROWS_AS(invocation({"token", "create", "app"}), UsageError);  // no --role
  CHECK_THROWS_AS(invocation({"token", "revoke"}), UsageError);
  CHECK_THROWS_AS(invocation({"token", "list", "--role", "read"}), UsageError);
  CHECK_THROWS_AS(invocation({"token", "forge"}), UsageError);
}

}  // namespace
}  // namespace paxoskv::ctl
