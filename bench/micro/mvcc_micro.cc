// MVCC store: put (new keys and overwrites of a 100,000-key space) and range (one key; 100 keys
// by prefix) on a store already holding 100,000 keys of 256-byte values.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "kv/mvcc_store.h"

namespace synod::kv {
namespace {

constexpr int kKeys = 100000;
constexpr size_t kValueBytes = 256;

std::string key_of(int index) {
  char key[16];
  std::snprintf(key, sizeof key, "key%06d", index);
  return key;
}

void fill(MvccStore& store) {
  PutRequest put;
  put.value = std::string(kValueBytes, 'v');
  PutResponse response;
  for (int i = 0; i < kKeys; ++i) {
    put.key = key_of(i);
    if (!store.put(put, response).ok()) std::abort();
  }
}

void BM_MvccPutOverwrite(benchmark::State& state) {
  MvccStore store;
  fill(store);
  PutRequest put;
  put.value = std::string(kValueBytes, 'w');
  PutResponse response;
  int next = 0;
  for (auto _ : state) {
    put.key = key_of(next);
    next = (next + 7919) % kKeys;  // a prime stride visits every key
    if (!store.put(put, response).ok()) state.SkipWithError("put failed");
  }
}
BENCHMARK(BM_MvccPutOverwrite);

void BM_MvccPutNewKey(benchmark::State& state) {
  MvccStore store;
  PutRequest put;
  put.value = std::string(kValueBytes, 'v');
  PutResponse response;
  int64_t next = 0;
  for (auto _ : state) {
    put.key = "new" + std::to_string(next++);
    if (!store.put(put, response).ok()) state.SkipWithError("put failed");
  }
}
BENCHMARK(BM_MvccPutNewKey);

void BM_MvccRangeOneKey(benchmark::State& state) {
  MvccStore store;
  fill(store);
  RangeRequest range;
  RangeResponse response;
  int next = 0;
  for (auto _ : state) {
    range.key = key_of(next);
    next = (next + 7919) % kKeys;
    if (!store.range(range, response).ok() || response.kvs.size() != 1) {
      state.SkipWithError("range failed");
    }
  }
}
BENCHMARK(BM_MvccRangeOneKey);

void BM_MvccRangeHundredKeys(benchmark::State& state) {
  MvccStore store;
  fill(store);
  RangeRequest range;
  RangeResponse response;
  int next = 0;
  for (auto _ : state) {
    const std::string prefix = key_of(next * 100).substr(0, 7);  // "keyNNNN": 100 keys
    range.key = prefix;
    range.range_end = prefix;
    range.range_end.back() = static_cast<char>(range.range_end.back() + 1);
    next = (next + 37) % (kKeys / 100);
    if (!store.range(range, response).ok() || response.kvs.size() != 100) {
      state.SkipWithError("range failed");
    }
  }
}
BENCHMARK(BM_MvccRangeHundredKeys);

}  // namespace
}  // namespace synod::kv
