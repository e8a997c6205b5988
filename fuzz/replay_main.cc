// A plain driver for a fuzz target, without libFuzzer: runs every file named (or every file in a
// directory named) through LLVMFuzzerTestOneInput, so the normal build's ctest replays the
// committed corpus and the crash regressions. `--write-seeds DIR` writes the target's seeds.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace {

namespace fs = std::filesystem;

int write_seeds(const fs::path& directory) {
  fs::create_directories(directory);
  for (const synod::fuzz::SeedInput& seed : synod::fuzz::seed_inputs()) {
    std::ofstream out(directory / seed.name, std::ios::binary | std::ios::trunc);
    out.write(seed.bytes.data(), static_cast<std::streamsize>(seed.bytes.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", (directory / seed.name).c_str());
      return 1;
    }
  }
  return 0;
}

void replay_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-seeds") return write_seeds(argv[2]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR... | --write-seeds DIR\n", argv[0]);
    return 2;
  }
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path path(argv[i]);
    if (!fs::exists(path)) continue;  // a target may have no regressions yet
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
      for (const auto& item : fs::directory_iterator(path))
        if (item.is_regular_file()) files.push_back(item.path());
    } else {
      files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      replay_file(file);
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs\n", replayed);
  return replayed > 0 ? 0 : 1;
}
