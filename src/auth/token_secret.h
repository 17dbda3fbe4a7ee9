// Token secrets: made from 32 random bytes, known to the cluster only by their SHA-256.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace paxoskv::auth {

using TokenDigest = std::array<unsigned char, 32>;

// Every token this project makes starts with this, so that a leaked one is recognised.
inline constexpr std::string_view kTokenPrefix = "pkv_";

// kTokenPrefix and 32 bytes from OpenSSL's generator in base64url (no padding). Throws
// std::runtime_error if the generator fails.
std::string make_token();
// The SHA-256 of `token`.
TokenDigest digest_of(std::string_view token);
// Constant-time: how long it takes says nothing of where the digests differ.
bool same_digest(const TokenDigest& a, const TokenDigest& b);

}  // namespace paxoskv::auth
