// nea2_ctr_tb: every 128-NEA2 vector of shared/vectors/nea2.json (official and extra) at its exact
// bit length through tag_crypto_engine (LOAD_KEYS, then raw NEA2 in place on a frame buffer model),
// both directions (plaintext -> ciphertext -> plaintext), with random memory acknowledge delays,
// random response stalls, random command fields outside the handshake and random unused bits in
// the last octet (they must come out zero). Octets around the region must stay untouched; exactly
// ceil(bits/8) writes. Also: length 0, BAD_LEN, NO_KEYS.
// Needs hdl/build/tbvec_engine.vh and nea2_vec.memh (hdl/engine/tb/tbvec.py).
`timescale 1ns/1ps
`include "tbvec_engine.vh"
module nea2_ctr_tb;
  localparam integer AW = 12;
  localparam integer ND = 1;
  localparam integer SEED = 32'h4e454132;
  localparam integer ACK_RATE = 1;
`include "tb_engine_harness.vh"

  tag_crypto_engine #(.ADDR_W(AW)) dut (`TB_ENGINE_PORTS(0));

  integer     nv, v, p, i, n, bits, addr, w0, ok, dirn;
  reg [127:0] key;
  reg [31:0]  cnt;
  reg [4:0]   bearer;
  reg         dir;
  reg [7:0]   before, after, exp;

  initial begin
    $readmemh(`NEA2_VEC_FILE, vec, 0, `NEA2_VEC_LEN - 1);
    start;
    cmd_op = 3'd2; cmd_addr = 0; cmd_len = 64; w0 = nwrites;
    issue;
    check(got_status == 3'd4 && nwrites == w0, "NO_KEYS after reset");

    nv = {vec[0], vec[1]};
    p = 2;
    for (v = 0; v < nv; v = v + 1) begin
      vec_record(p, key, cnt, bearer, dir, bits, n);
      cmd_op = 3'd0; cmd_key_enc = key; cmd_key_int = ~key;
      issue;
      check(got_status == 3'd0, "LOAD_KEYS");
      addr = 1 + {$random(seed)} % ((1 << AW) - n - 1);
      for (dirn = 0; dirn < 2; dirn = dirn + 1) begin
        // dirn 0: plaintext -> ciphertext; dirn 1: ciphertext -> plaintext
        for (i = 0; i < n; i = i + 1) mem[addr + i] = vec[p + i + (dirn ? n : 0)];
        if (bits % 8 != 0) mem[addr + n - 1] = mem[addr + n - 1] | ($random(seed) & (8'hff >> (bits % 8)));
        before = mem[addr - 1]; after = mem[addr + n];
        ack_mode = (v == 0 && dirn == 0) ? 0 : 1;
        cmd_op = 3'd2; cmd_count = cnt; cmd_bearer = bearer; cmd_direction = dir;
        cmd_addr = addr; cmd_len = bits; w0 = nwrites;
        issue;
        ok = (got_status == 3'd0) && (got_mac == 0) && (nwrites - w0 == n) &&
             (mem[addr - 1] == before) && (mem[addr + n] == after);
        for (i = 0; i < n; i = i + 1) begin
          exp = vec[p + i + (dirn ? 0 : n)];
          if (mem[addr + i] !== exp) begin
            ok = 0;
            if (i < 4 || i == n - 1) $display("  vector %0d dir %0d octet %0d: %h expected %h", v, dirn, i, mem[addr + i], exp);
          end
        end
        check(ok, "NEA2 vector");
      end
      p = p + 2 * n;
    end
    ack_mode = 1;
    // length 0: nothing written; region past the end -> BAD_LEN (nothing written); to the end -> OK
    cmd_op = 3'd2; cmd_addr = 100; cmd_len = 0; w0 = nwrites;
    issue;
    check(got_status == 3'd0 && nwrites == w0, "NEA2 length 0");
    cmd_op = 3'd2; cmd_addr = (1 << AW) - 1; cmd_len = 9;
    issue;
    check(got_status == 3'd3 && nwrites == w0, "NEA2 BAD_LEN");
    cmd_op = 3'd2; cmd_addr = 0; cmd_len = 16'hffff;
    issue;
    check(got_status == 3'd3 && nwrites == w0, "NEA2 BAD_LEN (longer than the buffer)");
    cmd_op = 3'd2; cmd_addr = (1 << AW) - 1; cmd_len = 8;
    issue;
    check(got_status == 3'd0 && nwrites == w0 + 1, "NEA2 last octet of the buffer");
    cmd_op = 3'd1;
    issue;
    check(got_status == 3'd0 && dut.g_ff.ring_q == 0 && dut.g_ff.park_q == 0 && dut.u_aes.key_q == 0 && dut.u_aes.state_q == 0, "ZEROIZE");
    w0 = nwrites;
    cmd_op = 3'd2; cmd_addr = 0; cmd_len = 64;
    issue;
    check(got_status == 3'd4 && nwrites == w0, "NO_KEYS after ZEROIZE");
    $display("nea2_ctr_tb: %0d passed, %0d failed (%0d cycles)", npass, nfail, cycles);
    $finish;
  end
endmodule
