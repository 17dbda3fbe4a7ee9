#include "tests/support/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace paxoskv::test {

namespace {

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("test PKI: failed: " + command);
  }
}

}  // namespace

TestPki::TestPki(std::filesystem::path dir, std::string ca_name) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj '/CN=" +
      ca_name + "' -keyout " + quoted(dir_ / "ca.key") + " -out " + quoted(ca_file()));
}

TlsFiles TestPki::issue(const std::string& name) const {
  const auto key = dir_ / (name + ".key");
  const auto cert = dir_ / (name + ".pem");
  const auto request = dir_ / (name + ".csr");
  const auto extensions = dir_ / (name + ".ext");
  std::ofstream(extensions) << "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                               "extendedKeyUsage=serverAuth,clientAuth\n";
  run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=" +
      name + "' -keyout " + quoted(key) + " -out " + quoted(request));
  run("openssl x509 -req -days 2 -in " + quoted(request) + " -CA " + quoted(ca_file()) +
      " -CAkey " + quoted(dir_ / "ca.key") + " -CAcreateserial -extfile " + quoted(extensions) +
      " -out " + quoted(cert));
  return TlsFiles{.cert_file = cert.string(),
                  .key_file = key.string(),
                  .trusted_ca_file = ca_file().string(),
                  .client_cert_auth = false};
}

}  // namespace paxoskv::test
