// OpenSSL's random bytes as a function of a seed, for the TLS fuzz target: with the same
// seed a TLS engine makes the same keys, the same hello randoms and the same signatures,
// so a handshake recorded against it (the seed corpus) replays to its end, and an input
// always takes the same path. Never for anything but tests: it is no randomness at all.
//
// OpenSSL asks for random bytes through a process-wide method without a context of ours,
// so the stream in use is process-wide too: the ActiveRandom in scope, else a fallback
// stream that the set-up (keys, certificates, contexts) draws from.
#pragma once

#include <cstddef>
#include <cstdint>

namespace paxoskv::fuzz {

// One sequence of bytes (splitmix64 of a counter).
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : state_(seed) {}
  void fill(unsigned char* to, std::size_t size);

 private:
  std::uint64_t state_;
};

// Makes OpenSSL draw from the active stream, from now on for the whole process. Throws
// std::runtime_error if OpenSSL refuses.
void use_fixed_random();

// While it lives, OpenSSL's random bytes come from `stream` (which must outlive it).
class ActiveRandom {
 public:
  explicit ActiveRandom(RandomStream& stream);
  ~ActiveRandom();
  ActiveRandom(const ActiveRandom&) = delete;
  ActiveRandom& operator=(const ActiveRandom&) = delete;

 private:
  RandomStream* previous_;
};

}  // namespace paxoskv::fuzz
