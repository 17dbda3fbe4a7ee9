// Many clients racing compare-and-set on one key through different replicas.
#include <barrier>
#include <catch2/catch.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/e2e/history_assertions.h"
#include "tests/e2e/recording_client.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

struct CasAttempt {
  int client = 0;
  std::uint64_t expected = 0;
  KvReply reply;
};

TEST_CASE("e2e: cas race, exactly one winner per version", "[e2e]") {
  constexpr int kClients = 8;
  constexpr int kRounds = 8;
  const std::string key = "race";
  TestCluster cluster;
  check::HistoryRecorder recorder;
  {
    RecordingClient setup(0, cluster.client_port(1), recorder);
    const auto first = setup.put(key, "initial", 0);
    INFO(first.describe());
    REQUIRE(first.status == 200);
  }

  std::mutex mutex;
  std::vector<CasAttempt> attempts;  // guarded by mutex
  std::vector<std::string> unexpected;
  // Every round starts together: all clients read, then all race.
  std::barrier round_start(kClients);
  {
    std::vector<std::jthread> clients;
    for (int c = 1; c <= kClients; ++c) {
      clients.emplace_back([&, c] {
        const auto ids = cluster.ids();
        RecordingClient client(c, cluster.client_port(ids[c % ids.size()]), recorder);
        for (int round = 0; round < kRounds; ++round) {
          const KvReply read = client.get(key);
          round_start.arrive_and_wait();
          if (read.status != 200) {
            const std::lock_guard lock(mutex);
            unexpected.push_back("read: " + read.describe());
            continue;
          }
          const std::string value = "c" + std::to_string(c) + "-r" + std::to_string(round);
          KvReply cas = client.put(key, value, read.version);
          const std::lock_guard lock(mutex);
          if (!cas.expected_status() || cas.status == 404) unexpected.push_back(cas.describe());
          attempts.push_back({c, read.version, std::move(cas)});
        }
      });
    }
  }
  INFO("unexpected answers: " << nlohmann::json(unexpected).dump());
  REQUIRE(unexpected.empty());

  KvClient reader(cluster.client_port(2));
  const KvReply last = reader.get(key);
  INFO(last.describe());
  REQUIRE(last.status == 200);

  std::map<std::uint64_t, int> winners;  // expected version -> winning client
  std::size_t wins = 0, conflicts = 0, unknown = 0;
  for (const CasAttempt& attempt : attempts) {
    INFO("client " << attempt.client << " cas=" << attempt.expected << ": "
                   << attempt.reply.describe());
    if (attempt.reply.status == 200) {
      ++wins;
      CHECK(attempt.reply.version == attempt.expected + 1);
      const auto [it, first] = winners.emplace(attempt.expected, attempt.client);
      INFO("an earlier winner for this version: client " << it->second);
      CHECK(first);  // two winners for one version would fork the key
    } else if (attempt.reply.status == 409) {
      ++conflicts;
      // It lost: the key had moved past the version the client read.
      CHECK(attempt.reply.version > attempt.expected);
      CHECK(attempt.reply.version <= last.version);
    } else {
      ++unknown;  // 503: may or may not have taken effect
    }
  }
  std::cout << "[cas race] " << attempts.size() << " cas attempts by " << kClients
            << " clients on 3 replicas: " << wins << " won, " << conflicts << " conflicts, "
            << unknown << " unknown; final version " << last.version << std::endl;
  // Only cas writes after the initial put: each version step is one winner (or a 503'd one).
  CHECK(last.version >= 1 + wins);
  CHECK(last.version <= 1 + wins + unknown);
  CHECK(wins >= kRounds / 2);  // the race makes progress
  require_linearizable(recorder, "cas race");
}

}  // namespace
}  // namespace paxoskv::e2e
