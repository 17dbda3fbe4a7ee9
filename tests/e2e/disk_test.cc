// Failing and full disks, against real replica processes: a failed write stops a replica
// for good and marks its data dir; a full disk refuses writes (507) but keeps serving
// reads, and writes resume once space is back.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "tests/e2e/eventually.h"
#include "tests/e2e/kv_client.h"
#include "tests/e2e/temp_dir.h"
#include "tests/e2e/test_cluster.h"

namespace paxoskv::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMarker = "DISK_WRITE_FAILED";

// A small tmpfs mounted for the test (which must run as root), unmounted afterwards.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(const std::string& size) : dir_("paxoskv-e2e-tmpfs") {
    const std::string options = "size=" + size;
    mounted_ = ::mount("paxoskv-e2e", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) error_ = std::error_code(errno, std::generic_category()).message();
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::filesystem::path& path() const { return dir_.path(); }

  std::uint64_t free_bytes() const {
    struct statvfs stats {};
    REQUIRE(::statvfs(path().c_str(), &stats) == 0);
    return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
  }

  // Takes all but `leave` bytes of the free space (all of it with 0) with a file.
  void fill(const std::filesystem::path& file, std::uint64_t leave) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const std::vector<char> page(4096, 'f');
    while (free_bytes() > leave) {
      const std::uint64_t chunk = free_bytes() - leave > (1u << 20) ? (1u << 20) : page.size();
      std::uint64_t written = 0;
      for (; written < chunk; written += page.size()) {
        if (::write(fd, page.data(), page.size()) != static_cast<ssize_t>(page.size())) break;
      }
      if (written < chunk) break;  // full
    }
    ::close(fd);
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST_CASE("e2e: a data dir marked by a disk failure is refused, unless the flag allows it",
          "[e2e][disk]") {
  TestCluster cluster;
  KvClient client(cluster.client_port(1));
  REQUIRE(client.put("marked/before", "v1").status == 200);
  REQUIRE(cluster.terminate(3, 5s) == std::optional<int>(0));
  std::ofstream(cluster.data_dir(3) / kMarker) << "a write failed (made by the test)\n";

  const auto refused = cluster.start_expecting_exit(3, 10s);
  REQUIRE(refused.has_value());
  CHECK(WIFEXITED(*refused));
  CHECK(WEXITSTATUS(*refused) == 2);
  const std::string log = cluster.log_tail(3, 5);
  CHECK_THAT(log, Catch::Contains(kMarker) && Catch::Contains("--allow-after-disk-failure"));
  CHECK(std::filesystem::exists(cluster.data_dir(3) / kMarker));

  cluster.start(3, {"--allow-after-disk-failure"});
  CHECK_FALSE(std::filesystem::exists(cluster.data_dir(3) / kMarker));
  CHECK_THAT(cluster.log_tail(3, 20), Catch::Contains("despite its disk failure marker"));
  KvClient restarted(cluster.client_port(3));
  CHECK(restarted.get("marked/before").value == std::optional<std::string>("v1"));
  CHECK(restarted.put("marked/after", "v2").status == 200);
}

TEST_CASE("e2e: a nearly full disk refuses writes with 507, serves reads, and writes resume",
          "[e2e][disk]") {
  SmallFileSystem disk("24m");
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): the test needs root; skipped");
    return;
  }
  ClusterOptions options;
  options.data_dirs[1] = disk.path() / "data";
  options.extra_flags = {"--disk-reserve-bytes", std::to_string(8 << 20)};
  TestCluster cluster(options);
  KvClient client(cluster.client_port(1));
  REQUIRE(client.put("full/key", "before").status == 200);

  disk.fill(disk.path() / "filler", 4 << 20);
  // The replica looks at the free space every 100 ms: a probe key until it refuses.
  KvReply refused;
  REQUIRE(eventually(2s, [&] {
    refused = client.put("full/probe", "while filling");
    return refused.status == 507;
  }));
  CHECK(refused.body["error"] == "no space");
  CHECK(client.put("full/key", "while full").status == 507);
  CHECK(client.remove("full/key").status == 507);
  // Reads keep working, linearizable and local; nothing of the refused writes shows.
  CHECK(client.get("full/key").value == std::optional<std::string>("before"));
  CHECK(client.get("full/key", /*local=*/true).value == std::optional<std::string>("before"));
  // The other replicas take writes; replica 1 still accepts them within its reserve.
  KvClient other(cluster.client_port(2));
  CHECK(other.put("full/other", "fine").status == 200);

  std::filesystem::remove(disk.path() / "filler");
  REQUIRE(eventually(2s, [&] { return client.put("full/key", "after").status == 200; }));
  CHECK(client.get("full/key").value == std::optional<std::string>("after"));
  CHECK(cluster.unexpected_exits().empty());
}

TEST_CASE("e2e: a disk full to the last byte stops the replica unacknowledged, until space is back",
          "[e2e][disk]") {
  SmallFileSystem disk("16m");
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): the test needs root; skipped");
    return;
  }
  ClusterOptions options;
  options.data_dirs[1] = disk.path() / "data";
  // No reserve: the write reaches the full disk.
  options.extra_flags = {"--disk-reserve-bytes", "0"};
  TestCluster cluster(options);
  KvClient client(cluster.client_port(1));
  REQUIRE(client.put("brim/key", "before").status == 200);

  disk.fill(disk.path() / "filler", 0);
  // The first writes may still fit in the last pages of LevelDB's files; the next ones
  // cannot. None may be acknowledged unless it is on disk.
  std::map<std::string, std::string> acknowledged;
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    const std::string key = "brim/" + std::to_string(i);
    const std::string value(4000, static_cast<char>('a' + i % 26));
    const KvReply reply = client.put(key, value);
    if (reply.status == 200) {
      acknowledged[key] = value;
    } else {
      refused = true;
    }
  }
  REQUIRE(refused);
  const auto exited = cluster.wait_for_exit(1, 10s);
  REQUIRE(exited.has_value());
  CHECK(WIFEXITED(*exited));
  CHECK(WEXITSTATUS(*exited) == 3);
  // Only full, no sync failed: nothing written before was lost, so no marker.
  CHECK_FALSE(std::filesystem::exists(cluster.data_dir(1) / kMarker));

  // Space back: it starts again by itself, with every acknowledged write.
  std::filesystem::remove(disk.path() / "filler");
  cluster.start(1);
  KvClient restarted(cluster.client_port(1));
  CHECK(restarted.get("brim/key").value == std::optional<std::string>("before"));
  for (const auto& [key, value] : acknowledged) {
    CHECK(restarted.get(key).value == std::optional<std::string>(value));
  }
  CHECK(restarted.put("brim/key", "after").status == 200);
}

}  // namespace
}  // namespace paxoskv::e2e
