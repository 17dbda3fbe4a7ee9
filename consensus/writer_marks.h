// Reading and advancing a key's writer marks (see WriterMark).
#pragma once

#include <algorithm>

#include "consensus/build_variant.h"
#include "consensus/types.h"

namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD {

// `node`'s mark in `marks`, or a zero mark if it never wrote the key.
inline WriterMark mark_of(const WriterMarks& marks, NodeId node) {
  const auto it = std::find_if(marks.begin(), marks.end(),
                               [node](const WriterMark& mark) { return mark.node == node; });
  return it == marks.end() ? WriterMark{node, 0, 0} : *it;
}

// The marks after write `op` was chosen at `version`. A mark never moves back: a write
// whose seq is at or below its writer's mark is never proposed again (see Proposer), so none
// can be chosen after a later one of the same writer.
inline WriterMarks with_write(WriterMarks marks, const OpId& op, Version version) {
  if (op.is_zero()) return marks;
  const auto it =
      std::lower_bound(marks.begin(), marks.end(), op.node,
                       [](const WriterMark& mark, NodeId node) { return mark.node < node; });
  if (it == marks.end() || it->node != op.node) {
    marks.insert(it, WriterMark{op.node, op.seq, version});
  } else if (op.seq > it->seq) {
    *it = WriterMark{op.node, op.seq, version};
  }
  return marks;
}

}  // namespace paxoskv::consensus::inline PAXOSKV_CONSENSUS_BUILD
