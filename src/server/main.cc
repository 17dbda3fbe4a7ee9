// The paxoskv replica process: a thin shell over paxoskv::Node and paxoskv::HttpListener.
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "paxoskv/http_listener.h"
#include "paxoskv/node.h"
#include "src/server/command_line.h"
#include "src/server/exposure.h"
#include "src/server/log_format.h"
#include "src/server/restore_command.h"

namespace {

// Requests in flight get this long to finish after SIGTERM/SIGINT.
constexpr std::chrono::milliseconds kShutdownGrace{500};

// Exit statuses besides 0 and 1 (cannot serve).
constexpr int kExitStartRefused = 2;
constexpr int kExitDiskFailure = 3;

int serve(paxoskv::CommandLine line) {
  boost::asio::io_context signals_io;
  std::atomic<bool> disk_failed{false};
  // The replica stopped for good (and logged why): stop serving and exit.
  line.options.on_disk_failure = [&](const std::string&) {
    disk_failed.store(true);
    boost::asio::post(signals_io, [&] { signals_io.stop(); });
  };
  auto node = std::make_unique<paxoskv::Node>(line.options);
  // Served from the replica's own thread (see HttpListener).
  std::optional<paxoskv::HttpListener> http;
  http.emplace(*node, paxoskv::HttpListenerOptions{.listen = line.listen,
                                                   .tls = line.client_tls,
                                                   .auth_root_token = line.auth_root_token});
  spdlog::info("replica {} serving clients on {}://{}", line.options.id,
               line.client_tls.enabled() ? "https" : "http", line.listen);
  const std::string peer_listen = line.options.peer_listen.empty()
                                      ? line.options.cluster.at(line.options.id)
                                      : line.options.peer_listen;
  const paxoskv::Listeners listeners{
      .client_listen = line.listen,
      .client_tls = line.client_tls.enabled(),
      .client_authentication = !line.auth_root_token.empty() || line.client_tls.client_cert_auth,
      .peer_listen = peer_listen,
      .peer_tls = line.options.peer_tls.enabled()};
  for (const std::string& warning : paxoskv::exposure_warnings(listeners)) {
    spdlog::warn("{}", warning);
  }

  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(signals_io);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: no new requests; stopping", signal);
    http.reset();  // stops accepting; requests in progress are still answered
    // Decided writes are answered, the rest fail with shutting_down, and long polls
    // answer now with what they have; the grace lets those answers go out.
    node->shutdown();
    grace.expires_after(kShutdownGrace);
    grace.async_wait([&](const boost::system::error_code&) { signals_io.stop(); });
  });
  // SIGHUP re-reads the certificates; new connections use them, open ones go on.
  boost::asio::signal_set reload_signals(signals_io, SIGHUP);
  std::function<void()> await_reload = [&] {
    reload_signals.async_wait([&](const boost::system::error_code& error, int) {
      if (error) return;
      spdlog::info("SIGHUP: reloading certificates");
      node->reload_certificates();
      if (http) http->reload_certificates();
      await_reload();
    });
  };
  await_reload();

  signals_io.run();
  http.reset();
  node.reset();  // stops its thread, fails what is left with shutting_down, closes the store
  return disk_failed.load() ? kExitDiskFailure : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "restore") {
    return paxoskv::run_restore(std::vector<std::string>(argv + 2, argv + argc));
  }
  paxoskv::CommandLine line;
  try {
    line = paxoskv::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::invalid_argument& error) {
    std::cerr << "paxoskv: " << error.what() << "\n\n" << paxoskv::usage();
    return 2;
  }
  if (line.help) {
    std::cout << paxoskv::usage();
    return 0;
  }
  if (line.version) {
    std::cout << "paxoskv " << PAXOSKV_VERSION << "\n";
    return 0;
  }
  const auto level = spdlog::level::from_str(line.log_level);
  if (level == spdlog::level::off && line.log_level != "off") {
    std::cerr << "paxoskv: --log-level: unknown level '" << line.log_level << "'\n";
    return 2;
  }
  spdlog::set_level(level);
  spdlog::set_formatter(paxoskv::log_formatter(line.log_format, line.options.id));
  try {
    return serve(line);
  } catch (const paxoskv::LostDataError&) {
    return 2;  // the replica logged why, and how to replace it
  } catch (const paxoskv::StartRefused& error) {
    spdlog::critical("refusing to start: {}", error.what());
    return kExitStartRefused;
  } catch (const std::exception& error) {
    spdlog::critical("cannot serve: {}", error.what());
    return 1;
  }
}
