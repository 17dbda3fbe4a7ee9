#include "tests/fuzz/tls_fixture.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "paxoskv/tls.h"
#include "src/tls/tls_context.h"
#include "tests/fuzz/fixed_random.h"

namespace paxoskv::fuzz {

namespace {

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeCert {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct FreeKeyContext {
  void operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); }
};
struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Cert = std::unique_ptr<X509, FreeCert>;

void require(bool holds, const char* what) {
  if (!holds) throw std::runtime_error(std::string("TLS fixture: cannot ") + what);
}

Key new_key() {
  std::unique_ptr<EVP_PKEY_CTX, FreeKeyContext> context(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  EVP_PKEY* key = nullptr;
  require(context && EVP_PKEY_keygen_init(context.get()) == 1 &&
              EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context.get(), NID_X9_62_prime256v1) == 1 &&
              EVP_PKEY_keygen(context.get(), &key) == 1,
          "make a key");
  return Key(key);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  require(extension != nullptr && X509_add_ext(cert, extension, -1) == 1, "add an extension");
  X509_EXTENSION_free(extension);
}

// A certificate for `name`'s key, signed by `issuer` (itself when null) with
// `issuer_key`; valid from 2024 on, for as long as X.509 can say.
Cert new_cert(const std::string& name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
              long serial, bool is_ca) {
  Cert cert(X509_new());
  require(cert && X509_set_version(cert.get(), 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1 &&
              ASN1_TIME_set_string_X509(X509_getm_notBefore(cert.get()), "20240101000000Z") == 1 &&
              ASN1_TIME_set_string_X509(X509_getm_notAfter(cert.get()), "99991231235959Z") == 1 &&
              X509_set_pubkey(cert.get(), key) == 1,
          "make a certificate");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  require(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                     0) == 1,
          "name a certificate");
  X509* signer = issuer != nullptr ? issuer : cert.get();
  require(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "name an issuer");
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  require(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "sign a certificate");
  return cert;
}

std::unique_ptr<std::FILE, CloseFile> open_for_writing(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(path.c_str(), "wb"));
  require(file != nullptr, "write a PEM file");
  return file;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  require(PEM_write_X509(open_for_writing(path).get(), cert) == 1, "write a certificate");
}

// `name`.pem and `name`.key in `dir`, for the context builders, which take files.
TlsFiles write_identity(const std::filesystem::path& dir, const std::string& name, X509* cert,
                        EVP_PKEY* key, const std::filesystem::path& trusted_ca) {
  const auto cert_file = dir / (name + ".pem");
  const auto key_file = dir / (name + ".key");
  write_cert(cert_file, cert);
  require(PEM_write_PrivateKey(open_for_writing(key_file).get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) == 1,
          "write a key");
  return TlsFiles{.cert_file = cert_file.string(),
                  .key_file = key_file.string(),
                  .trusted_ca_file = trusted_ca.string(),
                  .client_cert_auth = false};
}

// Removes the PEM files once the contexts hold what they need of them.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("paxoskv-tls-fuzz-" + std::to_string(::getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

TlsFixture make_fixture() {
  use_fixed_random();
  RandomStream setup_random(0xf1c7);
  const ActiveRandom active(setup_random);

  const Key ca_key = new_key();
  const Cert ca = new_cert("paxoskv fuzz CA", ca_key.get(), nullptr, ca_key.get(), 1, true);
  const Key node_key = new_key();
  const Cert node = new_cert("node-1", node_key.get(), ca.get(), ca_key.get(), 2, false);
  const Key peer_key = new_key();
  const Cert peer = new_cert("node-2", peer_key.get(), ca.get(), ca_key.get(), 3, false);
  const Key stranger_ca_key = new_key();
  const Cert stranger_ca =
      new_cert("another CA", stranger_ca_key.get(), nullptr, stranger_ca_key.get(), 1, true);
  const Key intruder_key = new_key();
  const Cert intruder =
      new_cert("node-3", intruder_key.get(), stranger_ca.get(), stranger_ca_key.get(), 2, false);

  const ScratchDir dir;
  const auto ca_file = dir.path / "ca.pem";
  write_cert(ca_file, ca.get());
  const TlsFiles node_files =
      write_identity(dir.path, "node-1", node.get(), node_key.get(), ca_file);
  const TlsFiles peer_files =
      write_identity(dir.path, "node-2", peer.get(), peer_key.get(), ca_file);
  const TlsFiles intruder_files =
      write_identity(dir.path, "node-3", intruder.get(), intruder_key.get(), ca_file);

  TlsFixture fixture;
  TlsFiles https_files = node_files;
  https_files.trusted_ca_file.clear();
  fixture.https = tls::make_server_context(https_files);
  fixture.https_optional = tls::make_server_context(node_files);
  TlsFiles required_files = node_files;
  required_files.client_cert_auth = true;
  fixture.https_required = tls::make_server_context(required_files);
  TlsFiles peer_server_files = node_files;
  // As PeerTransport::use_tls: a peer without a certificate is refused. The planted build
  // (tests/fuzz/meson.build) drops that, to show that the target notices.
#ifndef PAXOSKV_FUZZ_PLANT_PEER_WITHOUT_CERTIFICATE
  peer_server_files.client_cert_auth = true;
#endif
  fixture.peer_server = tls::make_server_context(peer_server_files);
  fixture.peer_client = tls::make_client_context(peer_files);
  const TlsFiles anonymous{.cert_file = {},
                           .key_file = {},
                           .trusted_ca_file = ca_file.string(),
                           .client_cert_auth = false};
  fixture.anonymous_client = tls::make_client_context(anonymous);
  fixture.intruder_client = tls::make_client_context(intruder_files);
  return fixture;
}

}  // namespace

const TlsFixture& tls_fixture() {
  static const TlsFixture fixture = make_fixture();
  return fixture;
}

}  // namespace paxoskv::fuzz
