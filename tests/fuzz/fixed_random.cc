// RAND_set_rand_method is deprecated in OpenSSL 3 (in favour of a provider of its own),
// but it is still honoured by every draw, the providers' key generation included.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "tests/fuzz/fixed_random.h"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace paxoskv::fuzz {

namespace {

RandomStream*& active_stream() {
  static RandomStream* active = nullptr;
  return active;
}

RandomStream& current_stream() {
  static RandomStream fallback(0x5eed);
  RandomStream* active = active_stream();
  return active != nullptr ? *active : fallback;
}

int fixed_bytes(unsigned char* to, int size) {
  if (size < 0) return 0;
  current_stream().fill(to, static_cast<std::size_t>(size));
  return 1;
}

int fixed_seed(const void*, int) {
  return 1;
}

int fixed_add(const void*, int, double) {
  return 1;
}

int fixed_status() {
  return 1;
}

const RAND_METHOD kFixedMethod = {
    fixed_seed, fixed_bytes, nullptr, fixed_add, fixed_bytes, fixed_status,
};

}  // namespace

void RandomStream::fill(unsigned char* to, std::size_t size) {
  while (size > 0) {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const std::size_t taken = size < sizeof(z) ? size : sizeof(z);
    std::memcpy(to, &z, taken);
    to += taken;
    size -= taken;
  }
}

void use_fixed_random() {
  if (RAND_set_rand_method(&kFixedMethod) != 1) {
    throw std::runtime_error("fixed random: OpenSSL refused the random method");
  }
}

ActiveRandom::ActiveRandom(RandomStream& stream) : previous_(active_stream()) {
  active_stream() = &stream;
}

ActiveRandom::~ActiveRandom() {
  active_stream() = previous_;
}

}  // namespace paxoskv::fuzz
