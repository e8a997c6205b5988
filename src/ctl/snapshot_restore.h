#pragma once
// `synodctl snapshot restore`: a new data directory, in Synod's own formats (storage/), from a
// snapshot file saved by `snapshot save` — as `etcdctl snapshot restore` builds one for etcd.
// The members, their ids and the cluster id come from the same flags `synod` takes (and must
// then be started with), so every member restored from one file with one --initial-cluster gets
// the same state: a snapshot at log index 1, term 1, holding the saved keys at their revisions,
// with the new membership. The saved file's old membership is not kept, as etcd does not keep it.
#include <string>

#include "core/status.h"
#include "storage/file_system.h"

namespace synod::ctl {

struct RestoreFlags {
  std::string snapshot_path;
  std::string name = "default";
  std::string data_dir;  // "<name>.synod"
  std::string initial_cluster;
  std::string initial_cluster_token;
  std::string initial_advertise_peer_urls;
};

// The file is checked (sha256, then that the store restores) before anything is written; an
// existing data directory is refused. Errors name the file or the flag at fault.
Status restore_snapshot(storage::FileSystem& fs, const RestoreFlags& flags);

}  // namespace synod::ctl
