// Shared command steps.
#include "ctl/command_support.h"

#include <iterator>

namespace synod::ctl {

Outcome<std::unique_ptr<Printer>> prepare_printer(const Session& session, PrintedKind kind,
                                                  PrinterOptions options, std::ostream& out) {
  const Outcome<OutputFormat> format = parse_output_format(session.write_out);
  if (!format.ok()) return format.error();
  if (MaybeError unsupported = check_format_supports(format.value(), kind)) return *unsupported;
  options.hex = session.hex;
  return make_printer(format.value(), options, out);
}

ClientTimeouts timeouts_of(const Session& session) {
  return {session.dial_timeout, session.command_timeout};
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int report(const CtlError& error, std::ostream& err) {
  err << "Error: " << error.message << '\n' << std::flush;
  return static_cast<int>(error.exit_code);
}

}  // namespace synod::ctl
