// The command codec: encode and decode of a put (256-byte value) and of a compare-and-swap txn,
// the forms in which every write travels through the log.
#include <benchmark/benchmark.h>

#include "kv/command.h"

namespace synod::kv {
namespace {

Command sample_put() {
  PutRequest put;
  put.key = "key000042";
  put.value = std::string(256, 'v');
  return put;
}

Command sample_txn() {
  TxnRequest txn;
  Compare compare;
  compare.target = CompareTarget::kMod;
  compare.key = "key000042";
  compare.mod_revision = 123456;
  txn.compare.push_back(compare);
  PutRequest put;
  put.key = "key000042";
  put.value = std::string(256, 'v');
  txn.success.push_back(RequestOp{put});
  RangeRequest range;
  range.key = "key000042";
  txn.failure.push_back(RequestOp{range});
  return txn;
}

void BM_Encode(benchmark::State& state, Command (*make)()) {
  const Command command = make();
  for (auto _ : state) benchmark::DoNotOptimize(encode_command(command));
}

void BM_Decode(benchmark::State& state, Command (*make)()) {
  const std::string bytes = encode_command(make());
  Command command;
  for (auto _ : state) {
    if (!decode_command(bytes, command).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(command);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

BENCHMARK_CAPTURE(BM_Encode, put, sample_put);
BENCHMARK_CAPTURE(BM_Decode, put, sample_put);
BENCHMARK_CAPTURE(BM_Encode, txn, sample_txn);
BENCHMARK_CAPTURE(BM_Decode, txn, sample_txn);

}  // namespace
}  // namespace synod::kv
