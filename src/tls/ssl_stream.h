// TLS over a connected stream (a Beast tcp_stream, for its deadlines, or a TCP socket): an
// asynchronous read and write stream for Beast's HTTP algorithms and the peer transport,
// with the handshake and the shutdown of Asio's ssl::stream.
//
// Why not Asio's: per request, its engine makes twice the OpenSSL calls (a read that
// finds no record first, a BIO pair moved through in small steps, the error queue
// cleared and the pending bytes asked for around each) and wraps every operation in
// several layers of composed operations. Here a read is one network read into a large
// buffer, the engine's own input, which OpenSSL reads from, then one SSL_read; a write
// is one SSL_write of all the buffers given (gathered into one record) and one network
// write of what the engine made.
//
// Bytes OpenSSL makes while reading (an alert, a key update's answer) wait for the next
// write, which sends them first: TLS allows it, and only writes send, so that a read and
// a write in progress at once (as a peer link has) never write to the network together.
#pragma once

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>
#include <utility>

#include "src/tls/ssl_engine.h"

namespace paxoskv::tls {

template <typename NextLayer>
class SslStream {
 public:
  using next_layer_type = NextLayer;
  using executor_type = typename NextLayer::executor_type;
  using handshake_type = boost::asio::ssl::stream_base::handshake_type;

  // `context` must outlive the stream.
  template <typename Arg>
  SslStream(Arg&& next_layer, boost::asio::ssl::context& context)
      : next_(std::forward<Arg>(next_layer)), engine_(context) {}
  SslStream(const SslStream&) = delete;
  SslStream& operator=(const SslStream&) = delete;

  executor_type get_executor() { return next_.get_executor(); }
  NextLayer& next_layer() { return next_; }
  const NextLayer& next_layer() const { return next_; }
  SSL* native_handle() { return engine_.native_handle(); }

  template <typename Token>
  auto async_handshake(handshake_type side, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        HandshakeOp{*this, side}, token, next_);
  }

  // Completes with asio::error::eof after the other side's close_notify, with
  // ssl::error::stream_truncated when the connection ends without one.
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        ReadOp<MutableBuffers>{*this, buffers}, token, next_);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        WriteOp<ConstBuffers>{*this, buffers}, token, next_);
  }

  // Sends close_notify, then waits for the other side's (asio::error::eof if the
  // connection ends first).
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(ShutdownOp{*this},
                                                                              token, next_);
  }

 private:
  using error_code = boost::system::error_code;
  using Want = SslEngine::Want;
  using Step = SslEngine::Step;

  // Network bytes read at once: a whole record of the largest size, and more.
  static constexpr std::size_t kReadBytes = 32 * 1024;
  // Plaintext taken by one write: larger writes go on in the next call.
  static constexpr std::size_t kWriteBytes = 64 * 1024;

  enum class State { starting, reading, writing, completing };

  // What the network's end of the connection means to TLS.
  error_code input_error(error_code error) const {
    if (error != boost::asio::error::eof) return error;
    return engine_.received_close_notify() ? error_code(boost::asio::error::eof)
                                           : error_code(boost::asio::ssl::error::stream_truncated);
  }

  // Reads from the network straight into the engine's input (see take_input). Only one
  // operation reads at a time, and the others do not touch the input meanwhile.
  template <typename Self>
  void read_input(Self& self) {
    next_.async_read_some(boost::asio::buffer(engine_.input_space(kReadBytes), kReadBytes),
                          std::move(self));
  }

  void take_input(std::size_t bytes) { engine_.commit_input(bytes); }

  // Sends what OpenSSL made (and nothing else sends meanwhile: see the top).
  template <typename Self>
  void write_output(Self& self) {
    output_.clear();
    engine_.take_output(output_);
    boost::asio::async_write(next_, boost::asio::buffer(output_), std::move(self));
  }

  struct HandshakeOp {
    SslStream& stream;
    handshake_type side;
    State state = State::starting;
    Step step{};

    template <typename Self>
    void operator()(Self& self, error_code error = {}, std::size_t bytes = 0) {
      switch (state) {
        case State::completing:
          return self.complete(step.error);
        case State::writing:
          if (error) return self.complete(step.error ? step.error : error);
          if (step.want == Want::nothing) return self.complete(step.error);
          state = State::reading;
          return stream.read_input(self);
        case State::reading:
          if (error) return self.complete(stream.input_error(error));
          stream.take_input(bytes);
          break;
        case State::starting:
          break;
      }
      const bool started = state != State::starting;
      step = stream.engine_.handshake(side);
      // A refusal goes out too, so that the other side learns why (an alert).
      if (stream.engine_.has_output()) {
        state = State::writing;
        return stream.write_output(self);
      }
      if (step.want == Want::input) {
        state = State::reading;
        return stream.read_input(self);
      }
      if (started) return self.complete(step.error);
      state = State::completing;
      boost::asio::post(std::move(self));
    }
  };

  template <typename MutableBuffers>
  struct ReadOp {
    SslStream& stream;
    MutableBuffers buffers;
    State state = State::starting;
    Step step{};

    template <typename Self>
    void operator()(Self& self, error_code error = {}, std::size_t bytes = 0) {
      switch (state) {
        case State::completing:
          return self.complete(step.error, step.bytes);
        case State::reading:
          if (error) return self.complete(stream.input_error(error), 0);
          stream.take_input(bytes);
          break;
        case State::starting:
        case State::writing:
          break;
      }
      const bool started = state != State::starting;
      // Into the first buffer with room.
      boost::asio::mutable_buffer to;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers) && to.size() == 0; ++it) {
        to = boost::asio::mutable_buffer(*it);
      }
      if (to.size() == 0) {
        step = {};
      } else if (!started && !stream.engine_.has_input()) {
        step = {Want::input, 0, {}};  // no need to ask OpenSSL
      } else {
        step = stream.engine_.read(to.data(), to.size());
        // More records already here fill the rest of the buffer (a batch of peer frames
        // that came in several records), rather than one operation each.
        while (!step.error && step.want == Want::nothing && step.bytes < to.size() &&
               stream.engine_.has_input()) {
          const Step more = stream.engine_.read(static_cast<char*>(to.data()) + step.bytes,
                                                to.size() - step.bytes);
          if (more.error || more.want != Want::nothing) break;  // left for the next read
          step.bytes += more.bytes;
        }
      }
      if (step.want == Want::input) {
        state = State::reading;
        return stream.read_input(self);
      }
      if (started) return self.complete(step.error, step.bytes);
      // Already here (or nothing asked): an operation never completes in its initiation.
      state = State::completing;
      boost::asio::post(std::move(self));
    }
  };

  template <typename ConstBuffers>
  struct WriteOp {
    SslStream& stream;
    ConstBuffers buffers;
    State state = State::starting;
    Step step{};

    template <typename Self>
    void operator()(Self& self, error_code error = {}, std::size_t = 0) {
      switch (state) {
        case State::completing:
          return self.complete(step.error, step.bytes);
        case State::writing:
          if (error) return self.complete(error, 0);
          // A read made bytes to send while ours went out.
          if (stream.engine_.has_output()) return stream.write_output(self);
          return self.complete(error_code{}, step.bytes);
        case State::starting:
        case State::reading:
          break;
      }
      const boost::asio::const_buffer plaintext = gather();
      if (plaintext.size() > 0) {
        step = stream.engine_.write(plaintext.data(), plaintext.size());
        // Only a TLS 1.2 renegotiation would read here, and the contexts refuse that.
        if (!step.error && step.want == Want::input) {
          step = {Want::nothing, 0, boost::asio::error::operation_not_supported};
        }
      }
      if (!step.error && stream.engine_.has_output()) {
        state = State::writing;
        return stream.write_output(self);
      }
      state = State::completing;
      boost::asio::post(std::move(self));
    }

    // The first kWriteBytes of `buffers` in one piece: the first buffer itself when it
    // holds them, else a copy of them all (an HTTP header and body become one record).
    boost::asio::const_buffer gather() {
      const auto begin = boost::asio::buffer_sequence_begin(buffers);
      const auto end = boost::asio::buffer_sequence_end(buffers);
      const std::size_t total = std::min(boost::asio::buffer_size(buffers), kWriteBytes);
      if (begin == end) return {};
      const boost::asio::const_buffer first(*begin);
      if (first.size() >= total) return boost::asio::const_buffer(first.data(), total);
      std::string& gathered = stream.plaintext_;
      gathered.clear();
      for (auto it = begin; it != end && gathered.size() < total; ++it) {
        const boost::asio::const_buffer piece(*it);
        gathered.append(static_cast<const char*>(piece.data()),
                        std::min(piece.size(), total - gathered.size()));
      }
      return boost::asio::buffer(gathered);
    }
  };

  struct ShutdownOp {
    SslStream& stream;
    State state = State::starting;
    Step step{};

    template <typename Self>
    void operator()(Self& self, error_code error = {}, std::size_t bytes = 0) {
      switch (state) {
        case State::completing:
          return self.complete(step.error);
        case State::writing:
          if (error) return self.complete(error);
          if (step.want == Want::nothing) return self.complete(step.error);
          state = State::reading;
          return stream.read_input(self);
        case State::reading:
          if (error) return self.complete(error);
          stream.take_input(bytes);
          break;
        case State::starting:
          break;
      }
      const bool started = state != State::starting;
      step = stream.engine_.shutdown();
      if (stream.engine_.has_output()) {
        state = State::writing;
        return stream.write_output(self);
      }
      if (step.want == Want::input) {
        state = State::reading;
        return stream.read_input(self);
      }
      if (started) return self.complete(step.error);
      state = State::completing;
      boost::asio::post(std::move(self));
    }
  };

  NextLayer next_;
  SslEngine engine_;
  std::string output_;     // network bytes from OpenSSL being written
  std::string plaintext_;  // a write's buffers gathered into one piece
};

}  // namespace paxoskv::tls
