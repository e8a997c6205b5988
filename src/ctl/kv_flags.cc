// The flags of put, get and del, with etcdctl's names, defaults and help texts.
#include <CLI/CLI.hpp>

#include "ctl/kv_requests.h"

namespace synod::ctl {

void add_put_flags(CLI::App& command, PutFlags& flags) {
  command.add_option("arguments", flags.arguments,
                     "<key> <value>; the value is read from stdin when left out");
  command.add_option("--lease", flags.lease, "lease ID (in hexadecimal) to attach to the key")
      ->capture_default_str();
  command.add_flag("--prev-kv", flags.prev_kv,
                   "return the previous key-value pair before modification");
  command.add_flag("--ignore-value", flags.ignore_value, "updates the key using its current value");
  command.add_flag("--ignore-lease", flags.ignore_lease, "updates the key using its current lease");
}

void add_get_flags(CLI::App& command, GetFlags& flags) {
  command.add_option("arguments", flags.arguments, "<key> [range_end]");
  command.add_option("--consistency", flags.consistency, "Linearizable(l) or Serializable(s)")
      ->capture_default_str();
  command.add_option("--order", flags.order,
                     "Order of results; ASCEND or DESCEND (ASCEND by default)");
  command.add_option("--sort-by", flags.sort_by,
                     "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION");
  command.add_option("--limit", flags.limit, "Maximum number of results")->capture_default_str();
  command.add_flag("--prefix", flags.prefix, "Get keys with matching prefix");
  command.add_flag("--from-key", flags.from_key,
                   "Get keys that are greater than or equal to the given key using byte compare");
  command.add_option("--rev", flags.revision, "Specify the kv revision")->capture_default_str();
  command.add_flag("--keys-only", flags.keys_only, "Get only the keys");
  command.add_flag("--count-only", flags.count_only,
                   "Get only the count (simple output prints the number)");
  command.add_flag("--print-value-only", flags.print_value_only,
                   "Only write values when using the \"simple\" output format");
  command.add_option("--min-mod-rev", flags.min_mod_revision,
                     "Only keys modified at or after this revision");
  command.add_option("--max-mod-rev", flags.max_mod_revision,
                     "Only keys modified at or before this revision");
  command.add_option("--min-create-rev", flags.min_create_revision,
                     "Only keys created at or after this revision");
  command.add_option("--max-create-rev", flags.max_create_revision,
                     "Only keys created at or before this revision");
}

void add_delete_flags(CLI::App& command, DeleteFlags& flags) {
  command.add_option("arguments", flags.arguments, "<key> [range_end]");
  command.add_flag("--prefix", flags.prefix, "delete keys with matching prefix");
  command.add_flag("--prev-kv", flags.prev_kv, "return deleted key-value pairs");
  command.add_flag("--from-key", flags.from_key,
                   "delete keys that are greater than or equal to the given key using byte "
                   "compare");
}

}  // namespace synod::ctl
