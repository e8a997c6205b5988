# Runs synod-sim and asserts on its outcome (used by the CTest tests labelled "sim").
#   -DSIM=<path of synod-sim> -DARGS=<arguments as a ;-list> -DEXPECT=pass|violations
# pass:       exit code 0 and a last line with violations=0.
# violations: a non-zero exit code and a last line with violations=<n>, n > 0.

execute_process(COMMAND ${SIM} ${ARGS}
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE output
                ERROR_VARIABLE errors)
string(STRIP "${output}" stripped)
string(FIND "${stripped}" "\n" last_newline REVERSE)
math(EXPR last_line_start "${last_newline} + 1")
string(SUBSTRING "${stripped}" ${last_line_start} -1 last_line)
message("${last_line}")
if(NOT last_line MATCHES "^engine=[^ ]+ seeds=[0-9]+ ops=[0-9]+ violations=([0-9]+) max_failover_ticks=[0-9]+ sim_events_per_s=[0-9]+$")
  message(FATAL_ERROR "the last line is not the summary:\n${output}\n${errors}")
endif()
set(violation_count "${CMAKE_MATCH_1}")
if(EXPECT STREQUAL "pass")
  if(NOT exit_code EQUAL 0 OR NOT violation_count EQUAL 0)
    message(FATAL_ERROR "expected no violation, got exit ${exit_code}:\n${output}")
  endif()
elseif(EXPECT STREQUAL "violations")
  if(exit_code EQUAL 0 OR violation_count EQUAL 0)
    message(FATAL_ERROR "expected the mutant to be caught, got exit ${exit_code}:\n${output}")
  endif()
else()
  message(FATAL_ERROR "EXPECT must be pass or violations")
endif()
