#include "tests/consensus/trace/printer.h"

#include <cstdio>
#include <sstream>
#include <type_traits>

namespace paxoskv::trace {

using consensus::NodeId;

namespace {

// A replica numbers its clients' writes incarnation << 40 | n (CoreConfig::incarnation):
// shown as "incarnation.n", which reads far better than the 13-digit number.
constexpr unsigned kOpSeqCounterBits = 40;

std::string describe_seq(std::uint64_t seq) {
  const std::uint64_t life = seq >> kOpSeqCounterBits;
  if (life == 0) return std::to_string(seq);
  const std::uint64_t n = seq & ((std::uint64_t{1} << kOpSeqCounterBits) - 1);
  return std::to_string(life) + "." + std::to_string(n);
}

std::string writers_text(const consensus::WriterMarks& marks) {
  std::string text = "[";
  for (const consensus::WriterMark& mark : marks) {
    if (text.size() > 1) text += " ";
    text += std::to_string(mark.node) + ":" + describe_seq(mark.seq) + "@" +
            std::to_string(mark.version);
  }
  return text + "]";
}

std::string proposal_text(const consensus::AcceptedProposal& proposal) {
  return "(slot=" + std::to_string(proposal.slot) + " ballot=" + describe(proposal.ballot) +
         " value=" + describe(proposal.value) + " op=" + describe(proposal.op) + ")";
}

// The part after the kind's name, one overload per alternative of consensus::Message:
// adding an alternative without one does not compile.
// The configuration version, shown only once a change made it other than 0.
std::string config_text(std::uint64_t config) {
  return config == 0 ? std::string() : " config=" + std::to_string(config);
}

std::string fields(const consensus::Prepare& m) {
  return "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot) +
         " life=" + std::to_string(m.incarnation) + config_text(m.config);
}

std::string fields(const consensus::Promise& m) {
  std::string text =
      "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot);
  if (m.accepted) text += " accepted=" + proposal_text(*m.accepted);
  return text;
}

std::string fields(const consensus::Reject& m) {
  return "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot) +
         " promised=" + describe(m.promised);
}

std::string fields(const consensus::Accept& m) {
  return "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot) +
         " value=" + describe(m.value) + " op=" + describe(m.op) +
         " life=" + std::to_string(m.incarnation) + config_text(m.config);
}

std::string fields(const consensus::Accepted& m) {
  return "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot);
}

std::string fields(const consensus::Commit& m) {
  return "k=" + m.key + " slot=" + std::to_string(m.slot) + " ballot=" + describe(m.ballot) +
         " life=" + std::to_string(m.incarnation);
}

std::string fields(const consensus::CatchUpRequest& m) {
  return "k=" + m.key + " have=" + std::to_string(m.have);
}

std::string fields(const consensus::CatchUpReply& m) {
  return "k=" + m.key + " v=" + std::to_string(m.version) + " value=" + describe(m.value) +
         " writers=" + writers_text(m.writers);
}

std::string fields(const consensus::ReadQuery& m) {
  return "k=" + m.key + " read=" + std::to_string(m.read_id) + " have=" + std::to_string(m.have) +
         config_text(m.config);
}

std::string fields(const consensus::ReadReply& m) {
  std::string text =
      "k=" + m.key + " read=" + std::to_string(m.read_id) + " v=" + std::to_string(m.version);
  if (m.state) text += " state=" + describe(*m.state) + " writers=" + writers_text(m.writers);
  return text + " accepted_slot=" + std::to_string(m.accepted_slot);
}

std::string fields(const consensus::ForwardRequest& m) {
  std::string text = "k=" + m.key + " seq=" + describe_seq(m.seq);
  text += m.remove ? " delete" : " put=" + describe(consensus::KeyValue(m.value));
  if (m.expected) text += " expected=" + std::to_string(*m.expected);
  return text + " timeout=" + std::to_string(m.timeout_ms);
}

std::string fields(const consensus::ForwardReply& m) {
  const bool known = m.outcome <= static_cast<std::uint8_t>(consensus::Outcome::kUnknown);
  std::string text = "k=" + m.key + " seq=" + describe_seq(m.seq) + " " +
                     (known ? describe(static_cast<consensus::Outcome>(m.outcome))
                            : "outcome=" + std::to_string(m.outcome)) +
                     " v=" + std::to_string(m.version);
  if (m.value) text += " value=" + describe(m.value);
  return text + " life=" + std::to_string(m.incarnation);
}

std::string fields(const consensus::ForwardWithdraw& m) {
  return "k=" + m.key + " seq=" + describe_seq(m.seq) + " life=" + std::to_string(m.incarnation);
}

std::string fields(const consensus::ForwardWithdrawn& m) {
  return "k=" + m.key + " seq=" + describe_seq(m.seq);
}

std::string fields(const consensus::KeepAlive& m) {
  return "k=" + m.key + " request=" + std::to_string(m.request) +
         " config=" + std::to_string(m.config);
}

std::string fields(const consensus::KeepAliveAck& m) {
  return "k=" + m.key + " request=" + std::to_string(m.request) + (m.ok ? " ok" : " refused");
}

// The kind's name, one overload per alternative as for fields().
const char* name(const consensus::Prepare&) {
  return "Prepare";
}
const char* name(const consensus::Promise&) {
  return "Promise";
}
const char* name(const consensus::Reject&) {
  return "Reject";
}
const char* name(const consensus::Accept&) {
  return "Accept";
}
const char* name(const consensus::Accepted&) {
  return "Accepted";
}
const char* name(const consensus::Commit&) {
  return "Commit";
}
const char* name(const consensus::CatchUpRequest&) {
  return "CatchUpRequest";
}
const char* name(const consensus::CatchUpReply&) {
  return "CatchUpReply";
}
const char* name(const consensus::ReadQuery&) {
  return "ReadQuery";
}
const char* name(const consensus::ReadReply&) {
  return "ReadReply";
}
const char* name(const consensus::ForwardRequest&) {
  return "ForwardRequest";
}
const char* name(const consensus::ForwardReply&) {
  return "ForwardReply";
}
const char* name(const consensus::ForwardWithdraw&) {
  return "ForwardWithdraw";
}
const char* name(const consensus::ForwardWithdrawn&) {
  return "ForwardWithdrawn";
}
const char* name(const consensus::KeepAlive&) {
  return "KeepAlive";
}
const char* name(const consensus::KeepAliveAck&) {
  return "KeepAliveAck";
}

}  // namespace

std::string describe(const consensus::Ballot& ballot) {
  return std::to_string(ballot.round) + "." + std::to_string(ballot.node);
}

std::string describe(const consensus::OpId& op) {
  return std::to_string(op.node) + ":" + describe_seq(op.seq);
}

std::string describe(const consensus::KeyValue& value) {
  if (!value) return "absent";
  std::string text = "\"";
  for (const char c : *value) {
    if (c == '"' || c == '\\') {
      text += '\\';
      text += c;
    } else if (c >= 0x20 && c < 0x7f) {
      text += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      text += escaped;
    }
  }
  return text + "\"";
}

std::string describe(consensus::Outcome outcome) {
  switch (outcome) {
    case consensus::Outcome::kOk:
      return "ok";
    case consensus::Outcome::kNotFound:
      return "not_found";
    case consensus::Outcome::kConflict:
      return "conflict";
    case consensus::Outcome::kNoQuorum:
      return "no_quorum";
    case consensus::Outcome::kUnknown:
      return "unknown";
  }
  return "outcome=" + std::to_string(static_cast<int>(outcome));
}

std::string kind_name(const consensus::Message& message) {
  return std::visit([](const auto& alternative) -> std::string { return name(alternative); },
                    message);
}

std::string describe(const consensus::Message& message) {
  return kind_name(message) + " " +
         std::visit([](const auto& alternative) { return fields(alternative); }, message);
}

std::string describe(NodeId from, NodeId to, const consensus::Message& message) {
  return std::to_string(from) + "->" + std::to_string(to) + " " + describe(message);
}

std::string describe(const consensus::AcceptorRecord& acceptor) {
  std::string text = "promised=" + describe(acceptor.promised);
  if (acceptor.promised_incarnation != 0) {
    text += " promised_life=" + std::to_string(acceptor.promised_incarnation);
  }
  if (acceptor.accepted) text += " accepted=" + proposal_text(*acceptor.accepted);
  if (!acceptor.led.is_zero()) text += " led=" + describe(acceptor.led);
  if (acceptor.led_incarnation != 0) {
    text += " led_life=" + std::to_string(acceptor.led_incarnation);
  }
  return text;
}

std::string describe(const consensus::AppliedRecord& applied) {
  return "v" + std::to_string(applied.version) + " " + describe(applied.value) +
         " writers=" + writers_text(applied.writers);
}

std::string describe(const consensus::PersistRecord& record) {
  std::string text = "k=" + record.key;
  if (record.applied) {
    text +=
        " applied=" + describe(*record.applied) + " change=" + std::to_string(record.change_index);
    if (record.replaces_change_index != 0) {
      text += " replaces=" + std::to_string(record.replaces_change_index);
    }
    if (record.acceptor_apart) text += " drops_acceptor_apart";
  }
  if (record.acceptor) text += " " + describe(*record.acceptor);
  return text;
}

std::string describe(const consensus::Completion& completion) {
  std::string text = "req=" + std::to_string(completion.id) + " " + describe(completion.outcome) +
                     " v=" + std::to_string(completion.version);
  if (completion.value) text += " value=" + describe(completion.value);
  return text;
}

std::string describe(NodeId node, const consensus::Ready& ready) {
  std::ostringstream out;
  out << node << " Ready #" << ready.number;
  if (!ready.persist.empty()) out << (ready.sync ? " sync" : " nosync");
  for (const consensus::PersistRecord& record : ready.persist) {
    out << "\n  persist " << describe(record);
  }
  for (const consensus::Outbound& outbound : ready.messages) {
    out << "\n  send " << describe(node, outbound.to, outbound.message);
  }
  for (const consensus::Completion& completion : ready.completions) {
    out << "\n  complete " << describe(completion);
  }
  return out.str();
}

}  // namespace paxoskv::trace
