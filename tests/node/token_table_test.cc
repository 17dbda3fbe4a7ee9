// The token table's standing rules: a token from the store counts only once settled, a
// settle never brings back or rolls back a token, an applied state counts at once.
#include "src/auth/token_table.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "src/auth/token_record.h"

namespace paxoskv::auth {
namespace {

using Standing = TokenLookup::Standing;

std::string record_for(std::string_view secret, Role role = Role::read) {
  return encode_token_record(TokenRecord{role, "a/", digest_of(secret)});
}

TEST_CASE("token table: a stored token is unconfirmed until a read settles it",
          "[node][auth][token_table]") {
  TokenTable table;
  table.load(token_key("t"), record_for("secret"), 3);
  CHECK(table.lookup("secret").standing == Standing::unconfirmed);
  CHECK(table.find("secret").has_value());
  CHECK(table.lookup("other").standing == Standing::unknown);

  SECTION("found as it was: confirmed") {
    table.settle("t", record_for("secret"), 3);
    CHECK(table.lookup("secret").standing == Standing::confirmed);
    CHECK(table.lookup("secret").holder == TokenInfo{"t", Role::read, "a/"});
  }
  SECTION("found revoked: gone") {
    table.settle("t", std::nullopt, 4);
    CHECK(table.lookup("secret").standing == Standing::unknown);
    CHECK(table.list().empty());
  }
  SECTION("found made again with another secret: gone, and the new one is not added") {
    table.settle("t", record_for("new"), 5);
    CHECK(table.lookup("secret").standing == Standing::unknown);
    CHECK(table.lookup("new").standing == Standing::unknown);
  }
  SECTION("a settle older than what was applied since changes nothing") {
    table.apply(token_key("t"), record_for("newer"), 6);
    table.settle("t", std::nullopt, 4);
    CHECK(table.lookup("newer").standing == Standing::confirmed);
  }
  SECTION("a state applied after the start counts at once") {
    table.apply(token_key("t"), record_for("secret", Role::readwrite), 4);
    CHECK(table.lookup("secret").standing == Standing::confirmed);
    CHECK(table.lookup("secret").holder.role == Role::readwrite);
  }
}

TEST_CASE("token table: a settle never adds a token", "[node][auth][token_table]") {
  TokenTable table;
  table.settle("t", record_for("secret"), 1);
  CHECK(table.lookup("secret").standing == Standing::unknown);
}

}  // namespace
}  // namespace paxoskv::auth
