#include "tests/e2e/workload.h"

#include <deque>
#include <optional>
#include <random>

#include "tests/e2e/recording_client.h"

namespace paxoskv::e2e {

using check::OpResult;

Workload::Workload(WorkloadOptions options, check::HistoryRecorder& recorder)
    : options_(std::move(options)), recorder_(recorder), ports_(options_.ports) {
  for (std::size_t i = 0; i < options_.clients; ++i) {
    threads_.emplace_back([this, i](std::stop_token stop) { run_client(i, stop); });
  }
}

Workload::~Workload() {
  stop();
}

void Workload::stop() {
  for (auto& thread : threads_) thread.request_stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::map<std::string, std::string> Workload::acknowledged_fresh() const {
  const std::lock_guard lock(mutex_);
  return fresh_;
}

void Workload::use_ports(std::vector<std::uint16_t> ports) {
  {
    const std::lock_guard lock(mutex_);
    ports_ = std::move(ports);
  }
  ++ports_generation_;
}

WorkloadStats Workload::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

void Workload::run_client(std::size_t index, std::stop_token stop) {
  const int client_id = static_cast<int>(index + 1);
  std::deque<RecordingClient> replicas;  // a deque: clients cannot move
  std::size_t current = 0;
  std::size_t generation = 0;
  const auto connect = [&] {
    generation = ports_generation_.load();
    std::vector<std::uint16_t> ports;
    {
      const std::lock_guard lock(mutex_);
      ports = ports_;
    }
    replicas.clear();
    for (std::size_t replica = 0; replica < ports.size(); ++replica) {
      const std::string host =
          replica < options_.hosts.size() ? options_.hosts[replica] : std::string("127.0.0.1");
      replicas.emplace_back(client_id, host, ports[replica], recorder_, options_.request_timeout);
    }
    current = index % replicas.size();
  };
  connect();
  const auto started = std::chrono::steady_clock::now();
  std::mt19937 random(options_.seed * 7919 + static_cast<std::uint32_t>(index));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::map<std::string, std::uint64_t> seen_versions;  // for cas: the last version seen
  std::uint64_t sequence = 0;

  while (!stop.stop_requested()) {
    if (ports_generation_.load() != generation) connect();
    RecordingClient& client = replicas[current];
    const std::string value = "c" + std::to_string(client_id) + "-" + std::to_string(++sequence);
    const double dice = unit(random);
    KvReply reply;
    bool is_write = true;
    std::optional<std::string> fresh_key;
    if (options_.shared_keys.empty() || dice < options_.fresh_write_share) {
      fresh_key = options_.fresh_key_prefix + "c" + std::to_string(client_id) + "/" +
                  std::to_string(sequence);
      reply = client.put(*fresh_key, value);
    } else {
      std::string key = options_.shared_keys[random() % options_.shared_keys.size()];
      if (options_.shared_key_lifetime.count() > 0) {
        key += "/g" + std::to_string((std::chrono::steady_clock::now() - started) /
                                     options_.shared_key_lifetime);
      }
      const double kind = unit(random);
      if (kind < 0.45) {
        reply = client.put(key, value);
      } else if (kind < 0.6) {
        reply = client.put(key, value, seen_versions[key]);
      } else if (kind < 0.67) {
        reply = client.remove(key);
      } else {
        reply = client.get(key);
        is_write = false;
      }
      if (reply.result != OpResult::kUnknown && reply.result != OpResult::kFailed) {
        seen_versions[key] = reply.version;
      }
    }

    const bool unknown = reply.result == OpResult::kUnknown;
    const bool removed = options_.members_change && reply.status == 410 && reply.body.is_object() &&
                         reply.body.value("error", "") == "removed";
    const bool acknowledged = is_write && reply.status == 200 && !unknown;
    {
      const std::lock_guard lock(mutex_);
      ++stats_.operations;
      if (is_write) {
        stats_.acknowledged_writes += acknowledged ? 1 : 0;
        stats_.unknown_writes += unknown ? 1 : 0;
        stats_.failed_writes += reply.result == OpResult::kFailed ? 1 : 0;
      } else {
        ++stats_.reads;
        stats_.unknown_reads += unknown ? 1 : 0;
      }
      stats_.removed_answers += removed ? 1 : 0;
      if (!reply.expected_status() && !removed) {
        stats_.unexpected.push_back("client " + std::to_string(client_id) + " on port " +
                                    std::to_string(client.port()) + ": " + reply.describe());
      }
      if (acknowledged && fresh_key) fresh_.emplace(*fresh_key, value);
    }
    if (acknowledged) {
      ++write_acks_;
      if (fresh_key) ++fresh_acks_;
    }
    if (options_.pause_between_ops.count() > 0) {
      std::this_thread::sleep_for(options_.pause_between_ops);
    }
    if (reply.status == 0 || removed || (options_.move_on_unavailable && reply.status == 503)) {
      // The replica is gone (or cut off): move on, without hammering a dead port.
      current = (current + 1) % replicas.size();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace paxoskv::e2e
