# Runs PROGRAM on INPUT and fails unless it exits with EXPECTED_EXIT (ctest only checks for zero).
execute_process(COMMAND ${PROGRAM} ${INPUT} RESULT_VARIABLE exit_code OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(NOT exit_code STREQUAL EXPECTED_EXIT)
  message(FATAL_ERROR "${PROGRAM} ${INPUT}: exit ${exit_code}, expected ${EXPECTED_EXIT}\n${output}${error}")
endif()
message(STATUS "exit ${exit_code} as expected\n${output}${error}")
