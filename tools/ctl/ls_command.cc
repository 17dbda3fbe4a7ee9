// ls: the keys under a prefix, every page of them.
#include <iostream>

#include "tools/ctl/commands.h"
#include "tools/ctl/listing.h"

namespace paxoskv::ctl {

ExitCode run_ls(const Invocation& invocation, Client& client, Console& console) {
  const bool json = invocation.output == OutputFormat::json;
  Json items = Json::array();
  list_prefix(client, invocation.key, invocation.limit, [&](const Json& item, const Entry& entry) {
    if (json) {
      items.push_back(item);
    } else {
      console.out << list_line(entry);
    }
  });
  if (json) console.out << dump(items) << '\n';
  return ExitCode::ok;
}

}  // namespace paxoskv::ctl
