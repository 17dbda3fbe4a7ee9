#include "tests/consensus/trace/scenario_runner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "tests/consensus/trace/printer.h"

namespace paxoskv::trace {

using consensus::NodeId;
using sim::Envelope;

namespace {

// Every kind of message by name, so that a misspelt type= is refused rather than matching
// nothing.
template <std::size_t... I>
std::set<std::string> kind_names(std::index_sequence<I...>) {
  return {kind_name(consensus::Message(std::in_place_index<I>))...};
}

const std::set<std::string>& all_kind_names() {
  static const std::set<std::string> names =
      kind_names(std::make_index_sequence<std::variant_size_v<consensus::Message>>());
  return names;
}

// "Prepare,Promise": each a kind of message.
std::set<std::string> kind_list(const std::optional<std::string>& text) {
  std::set<std::string> kinds;
  if (!text) return kinds;
  std::istringstream list(*text);
  for (std::string kind; std::getline(list, kind, ',');) {
    if (!all_kind_names().contains(kind)) throw ScenarioError("no message type " + kind);
    kinds.insert(kind);
  }
  return kinds;
}

// Splits on spaces, outside double quotes; the quotes are removed.
std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> found;
  std::string current;
  bool quoted = false;
  bool in_token = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      in_token = true;
    } else if (c == ' ' && !quoted) {
      if (in_token) found.push_back(std::exchange(current, {}));
      in_token = false;
    } else {
      current += c;
      in_token = true;
    }
  }
  if (quoted) throw ScenarioError("unbalanced quotes");
  if (in_token) found.push_back(current);
  return found;
}

}  // namespace

// A command's arguments, each taken once by the command that knows it; finish() refuses
// any left over.
class ScenarioRunner::Arguments {
 public:
  explicit Arguments(const std::string& line) {
    std::vector<std::string> words = tokens(line);
    if (words.empty()) throw ScenarioError("empty command");
    command_ = words.front();
    for (std::size_t i = 1; i < words.size(); ++i) {
      const auto equals = words[i].find('=');
      const std::string name = words[i].substr(0, equals);
      std::optional<std::string> value;
      if (equals != std::string::npos) value = words[i].substr(equals + 1);
      if (!values_.emplace(name, value).second) throw ScenarioError("repeated " + name);
    }
  }

  const std::string& command() const { return command_; }

  bool flag(const std::string& name) {
    auto it = values_.find(name);
    if (it == values_.end()) return false;
    if (it->second) throw ScenarioError(name + " takes no value");
    values_.erase(it);
    return true;
  }

  std::optional<std::string> text(const std::string& name) {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    if (!it->second) throw ScenarioError(name + " needs a value: " + name + "=...");
    std::string value = *it->second;
    values_.erase(it);
    return value;
  }

  std::optional<std::uint64_t> number(const std::string& name) {
    const std::optional<std::string> value = text(name);
    if (!value) return std::nullopt;
    if (value->empty() || value->find_first_not_of("0123456789") != std::string::npos) {
      throw ScenarioError(name + "=" + *value + " is not a number");
    }
    return std::stoull(*value);
  }

  std::uint64_t required_number(const std::string& name) {
    const std::optional<std::uint64_t> value = number(name);
    if (!value) throw ScenarioError(command_ + " needs " + name + "=N");
    return *value;
  }

  void finish() const {
    if (values_.empty()) return;
    std::string unknown;
    for (const auto& [name, value] : values_) unknown += " " + name;
    throw ScenarioError(command_ + " does not take:" + unknown);
  }

 private:
  std::string command_;
  std::map<std::string, std::optional<std::string>> values_;
};

std::string ScenarioRunner::run(const std::string& command_line) {
  output_.clear();
  Arguments args(command_line);
  const std::string& command = args.command();
  if (command == "cluster") {
    create_cluster(args);
    return std::exchange(output_, {});
  }
  if (!cluster_) throw ScenarioError("the first command must be: cluster nodes=N");
  try {
    if (command == "submit") {
      submit(args);
    } else if (command == "deliver") {
      deliver(args);
    } else if (command == "drop") {
      drop(args);
    } else if (command == "queued") {
      list_queued(args);
    } else if (command == "tick") {
      const std::uint64_t ms = args.required_number("ms");
      args.finish();
      advance(ms);
    } else if (command == "run") {
      const std::uint64_t ms = args.required_number("ms");
      const std::uint64_t step = args.required_number("step");
      const auto filter = envelope_filter(args);
      args.finish();
      if (step == 0) throw ScenarioError("run needs step=N above 0");
      for (std::uint64_t passed = 0; passed < ms; passed += step) {
        const std::size_t printed = output_.size();
        advance(step);
        deliver_matching(filter);
        if (output_.size() != printed)
          output_.insert(printed, "at " + std::to_string(now_) + " ms\n");
      }
    } else if (command == "crash") {
      crash(args);
    } else if (command == "restart") {
      const NodeId node = replica(args.required_number("node"));
      args.finish();
      if (!down_.erase(node)) throw ScenarioError("replica " + std::to_string(node) + " is up");
      cluster().start(node);
    } else if (command == "stall") {
      const NodeId node = replica(args.required_number("node"));
      args.finish();
      stalled_.insert(node);
      cluster().stall_disk(node);
    } else if (command == "partition") {
      partition(args);
    } else if (command == "hold") {
      const NodeId node = replica(args.required_number("node"));
      args.finish();
      held_.insert(node);
    } else if (command == "release") {
      const NodeId node = replica(args.required_number("node"));
      args.finish();
      if (!held_.erase(node))
        throw ScenarioError("replica " + std::to_string(node) + " is not held");
    } else if (command == "heal") {
      args.finish();
      cut_links_.clear();
    } else if (command == "state") {
      print_state(args);
    } else {
      throw ScenarioError("unknown command " + command);
    }
  } catch (const ScenarioError&) {
    throw;
  } catch (const std::exception& failure) {
    print(std::string("error: ") + failure.what());
  }
  return std::exchange(output_, {});
}

void ScenarioRunner::create_cluster(Arguments& args) {
  if (cluster_) throw ScenarioError("cluster comes once, first");
  const std::uint64_t nodes = args.required_number("nodes");
  args.finish();
  if (nodes == 0 || nodes > 9) throw ScenarioError("nodes=1..9");
  size_ = static_cast<NodeId>(nodes);
  cluster_ = std::make_unique<sim::ScriptedCluster>(static_cast<int>(nodes));
  cluster_->watch(sim::ScriptedCluster::Watcher{
      [this](const Envelope& envelope) {
        print(describe(envelope.from, envelope.to, envelope.message) +
              (down_.contains(envelope.to) ? " (lost: replica is down)" : ""));
      },
      [this](NodeId node, const consensus::Ready& ready) {
        std::string text = describe(node, ready);
        if (stalled_.contains(node) && !ready.persist.empty()) {
          text += "\n  (disk stalled: the persist never ends, only early messages leave)";
        }
        print(text);
      }});
}

void ScenarioRunner::submit(Arguments& args) {
  const NodeId node = replica(args.required_number("node"));
  const std::uint64_t request = args.required_number("req");
  const std::optional<std::string> key = args.text("key");
  if (!key) throw ScenarioError("submit needs key=K");
  const std::optional<std::uint64_t> expected = args.number("expected");
  const std::uint64_t timeout_ms = args.number("timeout").value_or(100000);
  consensus::Operation operation;
  if (std::optional<std::string> value = args.text("put")) {
    operation = consensus::PutOp{std::move(*value), expected};
  } else if (args.flag("delete")) {
    operation = consensus::DeleteOp{expected};
  } else if (args.flag("read") && !expected) {
    operation = consensus::ReadOp{};
  } else {
    throw ScenarioError("submit needs put=V, delete or read (a read takes no expected=)");
  }
  args.finish();
  cluster().submit(node, request, *key, std::move(operation), timeout_ms);
}

void ScenarioRunner::deliver(Arguments& args) {
  const auto filter = envelope_filter(args);
  args.finish();
  deliver_matching(filter);
}

void ScenarioRunner::deliver_matching(const std::function<bool(const Envelope&)>& match) {
  drop_partitioned();
  cluster().deliver([&](const Envelope& e) {
    return match(e) && !crosses_partition(e) && !held_.contains(e.from) && !held_.contains(e.to);
  });
  drop_partitioned();
}

void ScenarioRunner::drop_partitioned() {
  if (cut_links_.empty()) return;
  const auto crossing = [this](const Envelope& e) { return crosses_partition(e); };
  for (const Envelope& envelope : cluster().queued(crossing)) {
    print("drop " + describe(envelope.from, envelope.to, envelope.message) + " (partition)");
  }
  cluster().drop(crossing);
}

void ScenarioRunner::drop(Arguments& args) {
  const auto filter = envelope_filter(args);
  args.finish();
  for (const Envelope& envelope : cluster().queued(filter)) {
    print("drop " + describe(envelope.from, envelope.to, envelope.message));
  }
  cluster().drop(filter);
}

void ScenarioRunner::list_queued(Arguments& args) {
  const auto filter = envelope_filter(args);
  args.finish();
  for (const Envelope& envelope : cluster().queued(filter)) {
    print(describe(envelope.from, envelope.to, envelope.message));
  }
}

void ScenarioRunner::crash(Arguments& args) {
  const NodeId id = replica(args.required_number("node"));
  args.finish();
  if (!down_.insert(id).second) throw ScenarioError("replica " + std::to_string(id) + " is down");
  for (const Envelope& envelope :
       cluster().queued([id](const Envelope& e) { return e.from == id; })) {
    print("lost " + describe(envelope.from, envelope.to, envelope.message));
  }
  stalled_.erase(id);
  cluster().crash(id);
}

void ScenarioRunner::partition(Arguments& args) {
  if (const std::optional<std::uint64_t> number = args.number("node")) {
    args.finish();
    const NodeId node = replica(*number);
    for (NodeId other = 1; other <= size_; ++other) {
      if (other == node) continue;
      cut_links_.emplace(node, other);
      cut_links_.emplace(other, node);
    }
    return;
  }
  const NodeId from = replica(args.required_number("from"));
  const NodeId to = replica(args.required_number("to"));
  args.finish();
  cut_links_.emplace(from, to);
}

void ScenarioRunner::print_state(Arguments& args) {
  const std::optional<std::string> key = args.text("key");
  if (!key) throw ScenarioError("state needs key=K");
  args.finish();
  consensus::Version highest = 0;
  for (NodeId node = 1; node <= size_; ++node) {
    const consensus::AppliedRecord applied = cluster().applied(node, *key);
    highest = std::max(highest, applied.version);
    print(std::to_string(node) + (down_.contains(node) ? " (down)" : "") +
          " applied=" + describe(applied) + " " + describe(cluster().acceptor(node, *key)));
  }
  std::string chosen;
  for (consensus::Version version = 1; version <= highest; ++version) {
    if (const auto value = cluster().chosen(*key, version)) {
      chosen += " v" + std::to_string(version) + "=" + describe(*value);
    }
  }
  print("chosen:" + (chosen.empty() ? std::string(" none") : chosen));
}

std::function<bool(const Envelope&)> ScenarioRunner::envelope_filter(Arguments& args) const {
  const std::optional<std::uint64_t> from = args.number("from");
  const std::optional<std::uint64_t> to = args.number("to");
  const std::set<std::string> kinds = kind_list(args.text("type"));
  const std::set<std::string> excepted = kind_list(args.text("except"));
  return [from, to, kinds, excepted](const Envelope& e) {
    const std::string kind = kind_name(e.message);
    return (!from || e.from == *from) && (!to || e.to == *to) &&
           (kinds.empty() || kinds.contains(kind)) && !excepted.contains(kind);
  };
}

bool ScenarioRunner::crosses_partition(const Envelope& envelope) const {
  return cut_links_.contains({envelope.from, envelope.to});
}

void ScenarioRunner::advance(consensus::TimeMs ms) {
  now_ += ms;
  cluster().advance(ms);
}

NodeId ScenarioRunner::replica(std::uint64_t number) const {
  if (number == 0 || number > size_) throw ScenarioError("no replica " + std::to_string(number));
  return static_cast<NodeId>(number);
}

sim::ScriptedCluster& ScenarioRunner::cluster() {
  return *cluster_;
}

void ScenarioRunner::print(const std::string& line) {
  output_ += line + "\n";
}

}  // namespace paxoskv::trace
