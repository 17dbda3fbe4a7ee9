// The command line of a founding replica, as the server's parser tests start from it.
#pragma once

#include <string>
#include <vector>

namespace paxoskv::server_test {

inline const std::vector<std::string> founding = {
    "--id", "1", "--data-dir", "/tmp/d", "--cluster", "1=127.0.0.1:9001,2=127.0.0.1:9002"};

// `args` followed by `more`.
inline std::vector<std::string> with(std::vector<std::string> args,
                                     const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace paxoskv::server_test
