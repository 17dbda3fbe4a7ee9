// A small tmpfs mounted for one replica's data dir, which the runner can fill up.
#pragma once

#include <cstdint>
#include <filesystem>

namespace paxoskv::nemesis {

class TmpfsMount {
 public:
  // Creates `dir` and mounts a tmpfs of `bytes` on it; throws std::system_error.
  TmpfsMount(std::filesystem::path dir, std::uint64_t bytes);
  // Unmounts (lazily, should a process still hold a file) and removes the dir.
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // The replica's data dir: a dir in the tmpfs, beside the filler file.
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  // Writes a filler file (outside the data dir) until the tmpfs has no space left;
  // release() removes it again.
  void fill();
  void release();
  bool filled() const { return filled_; }
  std::uint64_t free_bytes() const;
  // Removes everything in it and leaves an empty data dir (for a planted fault: a lost
  // disk).
  void wipe();

  // Unmounts what earlier runs of a runner that is gone left mounted under `parent`.
  static void remove_leftovers(const std::filesystem::path& parent);

 private:
  std::filesystem::path filler_path() const { return dir_ / "nemesis-filler"; }

  std::filesystem::path dir_;
  bool filled_ = false;
};

}  // namespace paxoskv::nemesis
