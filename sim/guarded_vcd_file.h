// GuardedVcdFile: the VCD file of every Verilated model of the shims (sim/shim.cpp,
// sim/bridge_shim.cpp). Header-only, one definition per translation unit.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "verilated_vcd_c.h"

// ---- waveform files that report write errors instead of stopping the process -------------------
// Verilator's own VCD file answers a failed write (a full disk) with VL_FATAL_MT, which flushes
// the trace again from inside its writer and deadlocks. This file never fails towards Verilator:
// the first error is kept (and later data dropped), and the shim reports it through
// aiot_*_trace_error so that the Rust side ends the run with that error.
class GuardedVcdFile final : public VerilatedVcdFile {
    int m_fd = -1;
    int m_err = 0;
    uint64_t m_written = 0;

public:
    bool open(const std::string& name) override {
        m_err = 0;
        m_written = 0;
        m_fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (m_fd < 0) m_err = errno ? errno : EIO;
        return m_fd >= 0;
    }
    void close() override {
        if (m_fd >= 0) {
            if (::close(m_fd) != 0 && !m_err) m_err = errno ? errno : EIO;
            m_fd = -1;
        }
    }
    ssize_t write(const char* bufp, ssize_t len) override {
        if (m_err || m_fd < 0) return len;  // dropped: the run ends with m_err
        ssize_t done = 0;
        while (done < len) {
            const ssize_t n = ::write(m_fd, bufp + done, static_cast<size_t>(len - done));
            if (n > 0) {
                done += n;
            } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            } else {
                m_err = (n < 0 && errno) ? errno : ENOSPC;
                return len;
            }
        }
        m_written += static_cast<uint64_t>(len);
        return len;
    }
    int error() const { return m_err; }
};

