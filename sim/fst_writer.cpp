// Verilator's FST writer (verilated_fst_c.cpp, which includes gtkwave's fstapi.c, lz4.c and
// fastlz.c), compiled with its `fclose` calls routed to the shim's aiot_fst_fclose: fstapi
// ignores write errors, and aiot_fst_fclose records a stream that failed (a full disk) so that
// the run ends with that error (sim/shim.cpp, aiot_tce_trace_error).
#include <cstdio>
#include <cwchar>

#include "verilated.h"

extern "C" int aiot_fst_fclose(FILE* f);
#define fclose aiot_fst_fclose
#include "verilated_fst_c.cpp"

// Reads back an FST file's end time and number of variables with fstapi's reader (the tests
// check that `cosim --fst` wrote a readable trace). 0 on success, -1 if it is not a readable FST.
extern "C" int aiot_fst_summary(const char* path, uint64_t* end_time, uint64_t* vars) {
    void* r = fstReaderOpen(path);
    if (r == nullptr) return -1;
    *end_time = fstReaderGetEndTime(r);
    *vars = fstReaderGetVarCount(r);
    fstReaderClose(r);
    return 0;
}
