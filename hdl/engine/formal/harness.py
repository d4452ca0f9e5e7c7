#!/usr/bin/env python3
"""Harnesses of the tag_crypto_engine proofs of scripts/formal (yosys `sat`), written into a folder
outside hdl/ (every .v under hdl/ must belong to a FuseSoC core; these are proof scaffolding).

The engine is never edited. scripts/formal elaborates hdl/engine/rtl/tag_crypto_engine.v, flattens
it, runs one of the x_*.ys scripts written here inside it, names it `eng` (or e0 / e1), and reads
one of the wrappers below around it. An x_*.ys script only
  * makes internal signals visible: `rename -output OLD NEW` (the signal stays the RTL's own, it is
    merely also an output port; rename fails if OLD does not exist), and
  * cuts a signal: `add -input cut_X W` + `connect -nomap -set X cut_X` (X's driver is removed
    and X becomes a free input, any value in every cycle). scripts/formal runs `check -assert`
    on every flattened proof design, which fails on a signal with two drivers or none.

Cuts used (each an over-approximation: every behaviour of the real design is still possible, so a
property proven with the cut holds without it):
  * the AES core: the engine is elaborated with aes128_core_cut.v (the real ports, no logic) and
    its outputs (aes_out, aes_idle, aes_out_valid, aes_kout) are cut. Only for control properties and the
    FPGA_STYLE comparison, never for the AES core's own secret registers.
  * x_ram.ys: the inputs of the FPGA_STYLE 1 key ring / park RAMs (ri, li) are cut: the lemma that
    the RAMs behave as delay lines holds whatever is written into them.
  * x_sty_s1.ys: the read-ahead octets ro / lo of FPGA_STYLE 1 are cut and driven by the wrapper
    from the delay-line model that x_ram.ys proves the RAMs implement.

Files written (OUT = the folder given):
  aes128_core_cut.v        the AES core stub
  x_sec_{ring,aes,all}_s{0,1}.ys, p1_{ring,aes,all}_s{0,1}.v   secret registers zero (proof 1)
  p2_wrap_s{0,1}.v         unused outputs zero (proof 2)
  x_unp.ys, p3_wrap.v      UNPROTECT writes nothing before a passed MAC verdict (proof 3)
  x_ram.ys, p4_ram.v       FPGA_STYLE 1 RAMs = delay lines (proof 4, lemma)
  x_sty_s{0,1}.ys, p4_wrap.v   FPGA_STYLE 0 == 1 given the lemma (proof 4)
  mut_*.v                  mutated copies of the engine (counterparts that must fail): MUTANTS

Usage: harness.py OUT [--addr-w N] [--rtl hdl/engine/rtl/tag_crypto_engine.v]
"""
import argparse
import os
import sys

# ---------------------------------------------------------------- the engine's registers
# Secret registers: the `verilator public_flat_rd` registers (sim/build/secrets.rs) and the AES
# core's key and state. FPGA_STYLE 1 keeps ring_q / park_q as RAMs read through the registered
# read-ahead octets ro_q / lo_q and registers the S-box input in sin_q: all hold key material.
# (RTL name after flatten, exposed name, width)
RING = {   # the key ring and park register (FPGA_STYLE 1: RAM words after memory_map, read-ahead)
    0: [("g_ff.ring_q", "x_ring", 256), ("g_ff.park_q", "x_park", 128)],
    1: [("g_ram.ring_m[%d]" % i, "x_ring%d" % i, 8) for i in range(32)] +
       [("g_ram.park_m[%d]" % i, "x_park%d" % i, 8) for i in range(16)] +
       [("g_ram.ro_q", "x_ro", 8), ("g_ram.lo_q", "x_lo", 8)],
}
AES_SECRETS = {
    0: [("u_aes.key_q", "x_key", 128), ("u_aes.state_q", "x_state", 128)],
    1: [("u_aes.key_q", "x_key", 128), ("u_aes.state_q", "x_state", 128),
        ("u_aes.g_fpga.sin_q", "x_sin", 8)],
}
CTRL_SECRETS = [("mism_q", "x_mism", 1), ("mbal_q", "x_mbal", 1), ("lmsb_q", "x_lmsb", 2)]


def ctrl_regs(aw):
    """Every register of tag_crypto_engine outside the key ring / park register and the AES core
    (a register missing here would leave the FPGA_STYLE induction unprovable, not unsound)."""
    return [("state_q", 5), ("op_q", 3), ("status_q", 3), ("keyed_q", 1), ("ph_q", 5),
            ("mism_q", 1), ("mbal_q", 1), ("lmsb_q", 2), ("base_q", aw), ("off_q", aw + 1), ("len_q", aw + 4),
            ("j_q", 5), ("first_q", 1), ("pad_q", 1), ("ciph_q", 1), ("indc_q", 1),
            ("indn_q", 1), ("aes_clr_q", 1), ("badlen_q", 1), ("full_q", 1), ("part_q", 1),
            ("skip_q", 1)]


# the engine's inputs to its AES core (in_key / in_block are 0 and out_ready is 1 in the RTL;
# its reset is rst_n && !aes_clr_q, aes_clr_q being one of the control registers)
AES_IN = [("key_oct", 8), ("st_in", 8), ("st_step", 1), ("st_keep", 1), ("aes_go", 1)]

# states (tag_crypto_engine.v)
ST = dict(S_ZERO=0, S_IDLE=1, S_DAT=2, S_CHK=3, S_RSP=4, S_IND=5, S_INDD=6, S_CABS=7, S_CDEC=8,
          S_CGO=9, S_CRUN=10, S_PARK=11, S_LRUN=12, S_KX=13, S_FRUN=14, S_MCMP=15, S_MREL=16,
          S_MWR=17, S_ESTART=18, S_EABS=19, S_ERUN=20, S_ERD=21, S_EWR=22, S_CSET=23, S_ESET=24,
          S_KGO=25, S_KRUN=26, S_KEND=27, S_KCPY=28)

# ---------------------------------------------------------------- mutants (counterparts)
# name: (what, the one RTL fragment replaced, its replacement)
MUTANTS = {
    "wdata": ("mem_wdata = AES state octet 0 whenever no EWR (the RTL before issue 9 finding 1)",
              "assign mem_wdata  = ((state_q == S_EWR) ? (s15 & mask) : (mwr_wr ? s0 : 8'h00)) | k_wdata;",
              "assign mem_wdata  = ((state_q == S_EWR) ? (s15 & mask) : s0) | k_wdata;"),
    "kwdata": ("mem_wdata shows the SHA-256 unit's digest octet in a DERIVE too (no HASH gate)",
               "assign k_wdata = k_mwe ? k_out_data : 8'h00;",
               "assign k_wdata = in_krun ? k_out_data : 8'h00;"),
    "mac": ("rsp_mac shown without rsp_valid (while an NIA2 / PROTECT runs)",
            "wire   show       = rsp_valid && (status_q == ST_OK)",
            "wire   show       = (status_q == ST_OK)"),
    "mrel": ("S_MREL deciphers a ciphered frame even when mism_q is set",
             "else if (ciph_q) begin st_ld = 1'b0; state_d = S_ESET; end",
             "if (ciph_q) begin st_ld = 1'b0; state_d = S_ESET; end"),
    "indd": ("S_INDD takes the decipher pass (S_ESET) for a ciphered UNPROTECT, before the MAC",
             "end else if ((op_q == OP_PRO) && indc_q) begin",
             "end else if (indc_q) begin"),
    "readahead": ("FPGA_STYLE 1 key ring read ahead from slot ph_q instead of ph_q + 1",
                  "ro_q <= ring_m[ph_nx];",
                  "ro_q <= ring_m[ph_q];"),
}

HDR = "// generated by hdl/engine/formal/harness.py for scripts/formal (proof harness, not RTL)\n"
ENG_IN = ["clk", "rst_n", "zeroize", "cmd_valid", "cmd_op", "cmd_addr", "cmd_len", "dat_valid",
          "dat_data", "rsp_ready", "mem_ack", "mem_rdata", "ltk_data", "ltk_len32"]
ENG_OUT = ["cmd_ready", "dat_ready", "rsp_valid", "rsp_status", "rsp_mac", "mem_req", "mem_we",
           "mem_addr", "mem_wdata", "mem_own", "ltk_idx"]


def ports_in(aw, extra=""):
    return ("  input wire clk, input wire rst_n, input wire zeroize,\n"
            "  input wire cmd_valid, input wire [2:0] cmd_op, input wire [%d:0] cmd_addr,\n"
            "  input wire [%d:0] cmd_len, input wire dat_valid, input wire [7:0] dat_data,\n"
            "  input wire rsp_ready, input wire mem_ack, input wire [7:0] mem_rdata,\n"
            "  input wire [7:0] ltk_data, input wire ltk_len32%s"
            % (aw - 1, aw + 3, extra))


def out_wires(aw, p=""):
    return ("  wire %scmd_ready, %sdat_ready, %srsp_valid, %smem_req, %smem_we, %smem_own;\n"
            "  wire [2:0] %srsp_status; wire [31:0] %srsp_mac; wire [%d:0] %smem_addr;\n"
            "  wire [7:0] %smem_wdata; wire [4:0] %sltk_idx;\n" % (p, p, p, p, p, p, p, p, aw - 1, p, p, p))


def conn(p="", extra=()):
    s = ", ".join(".%s(%s)" % (n, n) for n in ENG_IN) + ",\n    "
    s += ", ".join(".%s(%s%s)" % (n, p, n) for n in ENG_OUT)
    if extra:
        s += ",\n    " + ", ".join(".%s(%s)" % pc for pc in extra)
    return s


def wires(sigs, p=""):
    return "".join("  wire [%d:0] %s%s;\n" % (w - 1, p, n) for _, n, w in sigs)


def renames(sigs):
    return "".join("rename -output %s %s\n" % (old, new) for old, new, _ in sigs)


def cuts(sigs):
    """Cut each (RTL name, width): its driver removed, driven by the new input cut_<name>."""
    return "".join("add -input cut_%s %d\nconnect -nomap -set %s cut_%s\n"
                   % (n.replace(".", "_"), w, n, n.replace(".", "_")) for n, w in sigs)


AES_OUT = [("aes_out", 128), ("aes_idle", 1), ("aes_out_valid", 1), ("aes_kout", 8)]
CUT_AES = cuts(AES_OUT)
CUT_PORTS = (",\n  input wire [127:0] aes_out, input wire aes_idle, input wire aes_out_valid,"
             " input wire [7:0] aes_kout")
CUT_CONN = [("cut_" + n, n) for n, _ in AES_OUT]


def states(names):
    return " || ".join("(x_st == 5'd%d)" % ST[n] for n in names)


# ---------------------------------------------------------------- proof 1: secret registers zero
def p1(style, aw, part):
    """part "ring": the key ring / park side and mism_q / lmsb_q (AES core cut); "aes": the AES
    core's key / state (/ S-box input) registers (real AES core); "all": every secret register
    (real AES core, for the bounded counterparts)."""
    if part == "ring":
        sec = RING[style] + CTRL_SECRETS
        dbg = [("state_q", "x_st", 5), ("j_q", "x_j", 5)]
        ys = renames(sec + dbg) + CUT_AES
        inv = "%s || ((x_st == 5'd%d) && (x_j == 5'd31))" % (states(["S_IDLE", "S_RSP"]), ST["S_ZERO"])
        what = "in the last scrub cycle, idle, or answering a ZEROIZE command"
    elif part == "all":   # every secret register, real AES core: for the bounded counterpart
        sec = RING[style] + CTRL_SECRETS + AES_SECRETS[style]
        dbg = []
        ys = renames(sec)
        inv = "1'b1"
        what = "(no strengthening: this wrapper is only used for a bounded check)"
    else:
        sec = AES_SECRETS[style]
        dbg = [("state_q", "x_st", 5), ("u_aes.busy_q", "x_busy", 1), ("u_aes.pass_q", "x_pass", 1)]
        ys = renames(sec + dbg)
        inv = "(%s) && !x_busy && !x_pass" % states(["S_ZERO", "S_IDLE", "S_RSP"])
        what = "scrubbing, idle or answering a ZEROIZE command, with the AES core idle"
    cut = part == "ring"
    v = HDR + "// secret registers (%s side) of FPGA_STYLE %d zero after reset / zeroize\n" % (part, style)
    v += "module p1_wrap (\n%s);\n" % ports_in(aw, CUT_PORTS if cut else "")
    v += out_wires(aw) + wires(sec + dbg)
    v += "  eng u (%s);\n" % conn(extra=(CUT_CONN if cut else []) + [(n, n) for _, n, _ in sec + dbg])
    v += "  wire secrets_zero = ~|{%s};\n" % ", ".join(n for _, n, _ in sec)
    v += """\
  // hs1: a command handshake at the last clock edge; hs2: at an edge before that. The claim
  // covers every cycle up to the handshake cycle and the one after it (the first LOAD_KEYS octet
  // can enter the ring at the edge that ends that cycle).
  reg hs1, hs2;
  always @(posedge clk)
    if (!rst_n || zeroize) begin hs1 <= 1'b0; hs2 <= 1'b0; end
    else begin hs1 <= cmd_valid && cmd_ready; hs2 <= hs2 || hs1; end
  always @* begin
    if (!hs2) assert (secrets_zero);
    // strengthening (makes the claim 1-inductive): before the first command the engine is
    // %s
    if (!hs1 && !hs2) assert (%s);
  end
endmodule
""" % (what, inv)
    return ys, v


# ---------------------------------------------------------------- proof 2: unused outputs zero
def p2(style, aw):
    v = HDR + "// mem_wdata / rsp_mac carry nothing outside a write / a response (FPGA_STYLE %d)\n" % style
    v += "module p2_wrap (\n%s);\n" % ports_in(aw)
    v += out_wires(aw)
    v += "  tag_crypto_engine #(.ADDR_W(%d), .FPGA_STYLE(%d)) u (%s);\n" % (aw, style, conn())
    v += """\
  always @* begin
    if (!(mem_req && mem_we)) assert (mem_wdata == 8'h00);
    if (mem_we) assert (mem_req);
    if (!rsp_valid) assert (rsp_mac == 32'd0);
    if (!mem_own) assert (ltk_idx == 5'd0);
  end
endmodule
"""
    return v


# ---------------------------------------------------------------- proof 3: UNPROTECT write order
def p3(aw):
    dbg = [("state_q", "x_st", 5), ("op_q", "x_op", 3), ("mism_q", "x_mism", 1), ("j_q", "x_j", 5)]
    ys = renames(dbg) + CUT_AES
    pre = ["S_DAT", "S_CHK", "S_IND", "S_INDD", "S_CSET", "S_CABS", "S_CDEC", "S_CGO", "S_CRUN",
           "S_PARK", "S_LRUN", "S_KX", "S_FRUN"]
    post = ["S_ESET", "S_ESTART", "S_EABS", "S_ERUN", "S_ERD", "S_EWR"]
    v = HDR + """\
// UNPROTECT: no frame-buffer write before the four MAC octets have been compared and found equal.
// The observer sees the engine's interface, its state_q / op_q / j_q / mism_q, and the AES output
// octet s0 (aes_out[127:120], a free input: the AES core is cut) that the engine compares with
// each MAC octet read. It counts the compares itself (acknowledged reads in S_MCMP) and records a
// mismatch itself: `verdict` = four compares, none different, since this command's handshake.
module p3_wrap (
%s);
""" % ports_in(aw, CUT_PORTS)
    v += out_wires(aw) + wires(dbg)
    v += "  eng u (%s);\n" % conn(extra=CUT_CONN + [(n, n) for _, n, _ in dbg])
    v += """\
  wire       hs  = cmd_valid && cmd_ready;
  wire       cmp = (x_st == 5'd%d) && mem_ack;        // S_MCMP: a MAC octet read acknowledged
  reg        unp, bad;
  reg  [2:0] ncmp;
  always @(posedge clk)
    if (!rst_n || zeroize) begin unp <= 1'b0; bad <= 1'b0; ncmp <= 3'd0; end
    else if (hs) begin unp <= (cmd_op == 3'd4); bad <= 1'b0; ncmp <= 3'd0; end
    else if (cmp) begin
      bad <= bad || (mem_rdata != aes_out[127:120]);
      if (ncmp != 3'd7) ncmp <= ncmp + 3'd1;
    end
  wire verdict = (ncmp == 3'd4) && !bad;
  always @* begin
    if (unp && mem_req && mem_we) assert (verdict);
`ifdef REACH
    // non-vacuity (FORMAL_DEEP): "UNPROTECT never writes" must be refuted by a trace
    assert (!(unp && mem_req && mem_we));
`endif
`ifdef HELPERS
    // strengthening for the induction (each a fact of the reachable states)
    assert (unp == (x_op == 3'd4));
    assert (bad == x_mism);
    if (unp && (%s)) assert (ncmp == 3'd0);
    if (unp && (x_st == 5'd%d)) assert ((ncmp == {1'b0, x_j[1:0]}) && (x_j[4:2] == 3'd0));
    if (unp && ((x_st == 5'd%d) || %s)) assert (ncmp == 3'd4);
    if (unp && (%s)) assert (!x_mism);
    if (unp) assert (x_st != 5'd%d);
`endif
  end
endmodule
""" % (ST["S_MCMP"], states(pre), ST["S_MCMP"], ST["S_MREL"], states(post), states(post),
       ST["S_MWR"])
    return ys, v


# ---------------------------------------------------------------- proof 4: FPGA_STYLE 0 == 1
DELAY = """\
  // the delay-line model: d / dp = the last 32 / 16 octets written (d[7:0] the newest), c =
  // clock edges since the last reset edge (saturating at 32)
  reg [255:0] d; reg [127:0] dp; reg [5:0] c;
  always @(posedge clk) begin
    d <= {d[247:0], %s}; dp <= {dp[119:0], %s};
    c <= !rst_n ? 6'd0 : (c == 6'd32) ? 6'd32 : c + 6'd1;
  end
"""


def p4_ram():
    """Lemma: FPGA_STYLE 1's key ring / park RAMs, read ahead through ro_q / lo_q, are 32 / 16
    deep delay lines of their inputs ri / li once 32 / 16 clock edges have passed since reset."""
    sigs = RING[1] + [("ph_q", "x_ph", 5)]
    ys = renames(sigs) + cuts([("ri", 8), ("li", 8)]) + CUT_AES
    v = HDR + """\
// FPGA_STYLE 1: ro_q / lo_q == the octet written 32 / 16 clock edges earlier, from 32 / 16 edges
// after the last reset on (ri / li cut: whatever is written). With STRENGTHEN: the inductive
// invariant, slot i of the delay line (i = 0 oldest) == RAM word (ph_q + i) mod 32 / 16 once
// the slot has been written since the reset (the reset moves ph_q to 0).
module p4_ram (
%s,
  input wire [7:0] ri, input wire [7:0] li);
""" % ports_in(4, CUT_PORTS)
    v += out_wires(4) + wires(sigs)
    v += "  eng u (%s);\n" % conn(extra=CUT_CONN + [("cut_ri", "ri"), ("cut_li", "li")] +
                                  [(n, n) for _, n, _ in sigs])
    v += DELAY % ("ri", "li")
    v += """\
  always @* begin
    assert (c <= 6'd32);
    if (c == 6'd32) assert (x_ro == d[255:248]);
    if (c >= 6'd16) assert (x_lo == dp[127:120]);
  end
`ifdef STRENGTHEN
  wire [7:0] rm [0:31];
  wire [7:0] pm [0:15];
"""
    v += "".join("  assign rm[%d] = x_ring%d;\n" % (i, i) for i in range(32))
    v += "".join("  assign pm[%d] = x_park%d;\n" % (i, i) for i in range(16))
    v += """\
  genvar i;
  generate
    for (i = 0; i < 32; i = i + 1) begin : g_ring
      wire [4:0] a = x_ph + i;
      always @* if (i + c >= 32) assert (d[255 - 8*i -: 8] == rm[a]);
    end
    for (i = 0; i < 16; i = i + 1) begin : g_park
      wire [3:0] a = x_ph[3:0] + i;
      always @* if (i + c >= 16) assert (dp[127 - 8*i -: 8] == pm[a]);
    end
  endgenerate
`endif
endmodule
"""
    return ys, v


def p4(aw):
    ctrl = ctrl_regs(aw)
    common = [(n, "x_" + n.replace(".", "_"), w) for n, w in ctrl] + [(n, "x_" + n, w) for n, w in AES_IN]
    ys0 = renames(common + RING[0]) + CUT_AES
    ys1 = (renames(common + [("ri", "x_ri", 8), ("li", "x_li", 8)]) +
           cuts([("g_ram.ro_q", 8), ("g_ram.lo_q", 8)]) + CUT_AES)
    v = HDR + """\
// tag_crypto_engine FPGA_STYLE 0 (e0: shift registers) vs 1 (e1), both with the AES core cut and
// the SAME free AES outputs; e1's read-ahead octets ro_q / lo_q cut and driven by the delay-line
// model of its RAMs (p4_ram proves the RAMs implement it; before that, 32 / 16 edges after a
// reset, they are free: ro_free / lo_free). Claim: equal inputs give equal outputs and equal
// inputs to the AES core. With INV: the inductive invariant (control registers equal, e0's shift
// registers == the model's delay lines once rewritten since the reset, and the engine scrubbing
// until then).
module p4_wrap (
%s,
  input wire [7:0] ro_free, input wire [7:0] lo_free);
""" % ports_in(aw, CUT_PORTS)
    v += out_wires(aw, "a_") + out_wires(aw, "b_")
    v += wires(common, "a_") + wires(common, "b_")
    v += "  wire [255:0] a_x_ring; wire [127:0] a_x_park;\n"
    v += "  wire [7:0] b_x_ri, b_x_li, b_ro, b_lo;\n"
    v += "  e0 u0 (%s);\n" % conn("a_", CUT_CONN + [(n, "a_" + n) for _, n, _ in common + RING[0]])
    v += "  e1 u1 (%s);\n" % conn("b_", CUT_CONN + [(n, "b_" + n) for _, n, _ in common] +
                                  [("x_ri", "b_x_ri"), ("x_li", "b_x_li"),
                                   ("cut_g_ram_ro_q", "b_ro"), ("cut_g_ram_lo_q", "b_lo")])
    v += DELAY % ("b_x_ri", "b_x_li")
    v += """\
  assign b_ro = (c == 6'd32) ? d[255:248] : ro_free;
  assign b_lo = (c >= 6'd16) ? dp[127:120] : lo_free;
  always @* begin
"""
    v += "".join("    assert (a_%s == b_%s);\n" % (n, n) for n in ENG_OUT)
    v += "".join("    assert (a_x_%s == b_x_%s);\n" % (n, n) for n, _ in AES_IN)
    v += "    assert (a_x_aes_clr_q == b_x_aes_clr_q);      // the AES core's reset\n"
    v += "  end\n`ifdef INV\n  always @* begin\n"
    v += "".join("    assert (a_x_%s == b_x_%s);\n" % (n.replace(".", "_"), n.replace(".", "_")) for n, _ in ctrl)
    v += """\
    assert (c <= 6'd32);
    if (c != 6'd32) assert ((a_x_state_q == 5'd%d) && (a_x_j_q <= c));   // scrubbing
  end
  genvar i;
  generate
    for (i = 0; i < 32; i = i + 1) begin : g_ring
      always @* if (i + c >= 32) assert (a_x_ring[255 - 8*i -: 8] == d[255 - 8*i -: 8]);
    end
    for (i = 0; i < 16; i = i + 1) begin : g_park
      always @* if (i + c >= 16) assert (a_x_park[127 - 8*i -: 8] == dp[127 - 8*i -: 8]);
    end
  endgenerate
`endif
endmodule
""" % ST["S_ZERO"]
    return ys0, ys1, v


# ---------------------------------------------------------------- proof 5: DERIVE / the SHA-256 unit
# the unit's registers (u_kdf after flatten): data (secret) and control
# (its chaining-value store is the AES core's key / state: cut here, free per engine in p5_ni;
# their clearing after reset / zeroize is engine-zero's AES side)
KDF_SECRETS = [("g_kdf.u_kdf.v_q", "x_kv", 256),
               ("g_kdf.u_kdf.w_q", "x_kw", 512), ("g_kdf.u_kdf.cur_q", "x_kcur", 8),
               ("g_kdf.u_kdf.nxt_q", "x_knxt", 8), ("g_kdf.u_kdf.oreg_q", "x_koreg", 8),
               ("g_kdf.u_kdf.c_q", "x_kc", 11)]


def kdf_ctrl(aw):
    kaw = max(aw, 6)
    return [("g_kdf.u_kdf." + n, w) for n, w in
            (("ph_q", 5), ("state_q", 3), ("stage_q", 3), ("t_q", 6), ("k_q", 3),
             ("bcnt_q", kaw - 5), ("qf_q", 7), ("nv_q", 1),
             ("paused_q", 1), ("m_q", 3), ("cap_q", 1), ("ov_q", 1), ("oidx_q", 5),
             ("rq_q", 1))] + \
        [("g_kdf.moff_q", aw), ("g_kdf.mseen_q", 1)]   # the engine's registered unit transfer


def p5_ni(aw):
    """DERIVE non-interference, one step from ANY state of a DERIVE (op_q == DERIVE, state_q one of
    S_CHK, S_KGO, S_KRUN, S_KEND, S_KCPY, S_RSP: the states from its handshake to its response,
    every other register free): two engines (a, b) with equal control
    registers (the engine's and the unit's), equal public inputs, but ANY secret
    registers (key ring, park register, mism_q / mbal_q / lmsb_q, the unit's data registers) and
    ANY K_AIoT octet / AES core outputs of their own: every output is equal and mem_we is 0 in
    this cycle, and the control registers are equal again after the edge. By induction over the
    cycles of a DERIVE (the claim's conclusion is its own premise), two runs of a DERIVE that
    start from the same control state show the same outputs in every cycle whatever the secrets:
    nothing secret reaches mem_wdata / mem_addr / ltk_idx / rsp_* / any output, in any state."""
    ctrl = [(n, w) for n, w in ctrl_regs(aw) if n not in ("mism_q", "mbal_q", "lmsb_q")]
    # ph7_q: the engine's phase + 7, only in HAS_KDF builds (so not in ctrl_regs)
    ctrl += [("hcfg_q", 8), ("dstg_q", 2), ("ph7_q", 5)] + kdf_ctrl(aw)
    exp = [(n, "x_" + n.replace(".", "_"), w) for n, w in ctrl]
    ys = renames(exp) + CUT_AES
    v = HDR + """\
// DERIVE non-interference (see harness.py p5_ni): engines a and b, equal public inputs, own
// secrets; `pre` = the premise at this cycle, checked outputs now and control registers next.
module p5_ni (
%s,
  input wire [127:0] a_aes_out, input wire [127:0] b_aes_out, input wire aes_idle,
  input wire aes_out_valid, input wire [7:0] a_aes_kout, input wire [7:0] b_aes_kout,
  input wire [7:0] b_ltk_data);
""" % ports_in(aw)
    v += out_wires(aw, "a_") + out_wires(aw, "b_")
    v += wires(exp, "a_") + wires(exp, "b_")
    ina = ", ".join(".%s(%s)" % (n, n) for n in ENG_IN)
    inb = ", ".join(".%s(%s)" % (n, "b_ltk_data" if n == "ltk_data" else n) for n in ENG_IN)
    for p, inl in (("a_", ina), ("b_", inb)):
        v += "  eng u%s (%s,\n    %s,\n    .cut_aes_out(%saes_out), .cut_aes_idle(aes_idle), .cut_aes_out_valid(aes_out_valid),\n    .cut_aes_kout(%saes_kout), %s);\n" % (
            p[0], inl, ", ".join(".%s(%s%s)" % (n, p, n) for n in ENG_OUT), p, p,
            ", ".join(".%s(%s%s)" % (n, p, n) for _, n, _ in exp))
    # the states of a DERIVE from its handshake to its response (S_IDLE / S_ZERO end it)
    dst = " || ".join("(a_x_state_q == 5'd%d)" % ST[n] for n in
                      ("S_CHK", "S_KGO", "S_KRUN", "S_KEND", "S_KCPY", "S_RSP"))
    v += "  wire pre = (a_x_op_q == 3'd7) && (%s)%s;\n" % (dst, "".join(" && (a_%s == b_%s)" % (n, n) for _, n, _ in exp))
    v += """\
  reg  pre_q;
  always @(posedge clk) pre_q <= pre;
  always @* begin
`ifdef COMB
    if (pre) begin
      assert (!a_mem_we);
"""
    v += "".join("      assert (a_%s == b_%s);\n" % (n, n) for n in ENG_OUT)
    v += "    end\n`else\n    if (pre_q) begin\n"
    v += "".join("      assert (a_%s == b_%s);\n" % (n, n) for _, n, _ in exp)
    v += "    end\n`endif\n  end\nendmodule\n"
    return ys, v


def p5_zero(aw):
    """The SHA-256 unit's secret registers zero N cycles after reset / zeroize (AES core cut)."""
    dbg = [("state_q", "x_st", 5), ("g_kdf.u_kdf.state_q", "x_kst", 3), ("g_kdf.u_kdf.ph_q", "x_kph", 5),
           ("ph_q", "x_ph", 5), ("j_q", "x_j", 5), ("g_kdf.u_kdf.ov_q", "x_kov", 1),
           ("g_kdf.u_kdf.cap_q", "x_kcap", 1)]
    sec = KDF_SECRETS
    ys = renames(sec + dbg) + CUT_AES
    v = HDR + "// the SHA-256 unit's secret registers zero after reset / zeroize\n"
    v += "module p5_zero (\n%s);\n" % ports_in(aw, CUT_PORTS)
    v += out_wires(aw) + wires(sec + dbg)
    v += "  eng u (%s);\n" % conn(extra=CUT_CONN + [(n, n) for _, n, _ in sec + dbg])
    v += "  wire secrets_zero = ~|{%s};\n" % ", ".join(n for _, n, _ in sec)
    v += """\
  reg hs1, hs2;
  always @(posedge clk)
    if (!rst_n || zeroize) begin hs1 <= 1'b0; hs2 <= 1'b0; end
    else begin hs1 <= cmd_valid && cmd_ready; hs2 <= hs2 || hs1; end
  always @* begin
    if (!hs2) assert (secrets_zero);
    // strengthening: before the next command the engine is idle / answering / in its last scrub
    // cycle, the unit idle with no digest octet pending, its phase the engine's
    if (!hs1 && !hs2) assert (((%s) && (x_kst == 3'd0)) ||
                              ((x_st == 5'd%d) && (x_j == 5'd31) && (x_kst == 3'd6) && (x_kph == 5'd31)));
    if (!hs1 && !hs2) assert (!x_kov && !x_kcap && (x_kph == x_ph));
  end
endmodule
""" % (states(["S_IDLE", "S_RSP"]), ST["S_ZERO"])
    return ys, v


def aes_cut():
    return HDR + """\
// aes128_core with its ports and no logic: its outputs are cut (made free inputs of the engine)
// after flattening
module aes128_core #(parameter FAULT_SBOX = 0, parameter FPGA_STYLE = 0, parameter SERIAL = 0) (
  input  wire         clk,
  input  wire         rst_n,
  input  wire         in_valid,
  output wire         in_ready,
  input  wire [127:0] in_key,
  input  wire [127:0] in_block,
  output wire         out_valid,
  input  wire         out_ready,
  output wire [127:0] out_block,
  input  wire   [7:0] key_in,
  input  wire         st_step,
  input  wire         st_keep,
  input  wire   [7:0] st_in,
  output wire   [7:0] key_out
);
endmodule
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--addr-w", type=int, default=12, help="ADDR_W of the wrappers (p4_ram: 4)")
    ap.add_argument("--rtl", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "rtl", "tag_crypto_engine.v"))
    a = ap.parse_args()
    aw = a.addr_w

    def put(name, text):
        with open(os.path.join(a.out, name), "w") as f:
            f.write(text)

    put("aes128_core_cut.v", aes_cut())
    for s in (0, 1):
        for part in ("ring", "aes", "all"):
            ys, v = p1(s, aw, part)
            put("x_sec_%s_s%d.ys" % (part, s), ys)
            put("p1_%s_s%d.v" % (part, s), v)
        put("p2_wrap_s%d.v" % s, p2(s, aw))
    ys, v = p3(aw)
    put("x_unp.ys", ys)
    put("p3_wrap.v", v)
    ys, v = p4_ram()
    put("x_ram.ys", ys)
    put("p4_ram.v", v)
    ys, v = p5_ni(aw)
    put("x_ni.ys", ys)
    put("p5_ni.v", v)
    ys, v = p5_zero(aw)
    put("x_kzero.ys", ys)
    put("p5_zero.v", v)
    ys0, ys1, v = p4(aw)
    put("x_sty_s0.ys", ys0)
    put("x_sty_s1.ys", ys1)
    put("p4_wrap.v", v)

    with open(a.rtl) as f:
        src = f.read()
    for name, (what, old, new) in MUTANTS.items():
        n = src.count(old)
        if n != 1:
            sys.exit("harness.py: mutant %s: %r found %d times in %s (want once)" % (name, old, n, a.rtl))
        put("mut_%s.v" % name, "// MUTANT for scripts/formal (%s): %s\n" % (name, what) +
            src.replace(old, new))


if __name__ == "__main__":
    main()
