// Throwaway certificate authorities and certificates for tests, made with the openssl
// command line in a directory of the caller's.
#pragma once

#include <filesystem>
#include <string>

#include "paxoskv/tls.h"

namespace paxoskv::test {

class TestPki {
 public:
  // Makes a CA named `ca_name` (its certificate ca.pem, its key ca.key) in `dir`. Throws
  // std::runtime_error if openssl fails.
  TestPki(std::filesystem::path dir, std::string ca_name = "paxoskv test CA");

  // Issues a certificate for `name` valid for 127.0.0.1, ::1 and localhost, signed by this
  // CA: <name>.pem and <name>.key in the directory. Issuing a name again makes a new key
  // and certificate in place of the old (a rotation).
  TlsFiles issue(const std::string& name) const;

  std::filesystem::path ca_file() const { return dir_ / "ca.pem"; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace paxoskv::test
