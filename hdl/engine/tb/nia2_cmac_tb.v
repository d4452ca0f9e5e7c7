// nia2_cmac_tb: every 128-NIA2 vector of shared/vectors/nia2.json (official and extra) at its exact
// bit length through tag_crypto_engine (LOAD_KEYS, then raw NIA2 on a frame buffer model), with
// random memory acknowledge delays, random response stalls, random command fields outside the
// handshake and random unused bits in the last octet. Also: no write during NIA2, NO_KEYS, BAD_LEN.
// Needs hdl/build/tbvec_engine.vh and nia2_vec.memh (hdl/engine/tb/tbvec.py).
`timescale 1ns/1ps
`include "tbvec_engine.vh"
module nia2_cmac_tb;
  localparam integer AW = 12;
  localparam integer ND = 1;
  localparam integer SEED = 32'h4e494132;
  localparam integer ACK_RATE = 1;
`include "tb_engine_harness.vh"

  tag_crypto_engine #(.ADDR_W(AW)) dut (`TB_ENGINE_PORTS(0));

  integer     nv, v, p, i, n, bits, addr, w0;
  reg [127:0] key;
  reg [31:0]  cnt, mac;
  reg [4:0]   bearer;
  reg         dir;

  initial begin
    $readmemh(`NIA2_VEC_FILE, vec, 0, `NIA2_VEC_LEN - 1);
    start;
    // NO_KEYS after reset
    cmd_op = 3'd3; cmd_addr = 0; cmd_len = 64; w0 = nwrites;
    issue;
    check(got_status == 3'd4 && got_mac == 0 && nwrites == w0, "NO_KEYS after reset");

    nv = {vec[0], vec[1]};
    p = 2;
    for (v = 0; v < nv; v = v + 1) begin
      vec_record(p, key, cnt, bearer, dir, bits, n);
      // LOAD_KEYS
      cmd_op = 3'd0; cmd_key_int = key; cmd_key_enc = ~key;
      issue;
      check(got_status == 3'd0, "LOAD_KEYS");
      // message at a random address, random unused bits in the last octet
      addr = {$random(seed)} % ((1 << AW) - n + 1);
      for (i = 0; i < n; i = i + 1) mem[addr + i] = vec[p + i];
      if (bits % 8 != 0) mem[addr + n - 1] = vec[p + n - 1] | ($random(seed) & (8'hff >> (bits % 8)));
      mac = {vec[p+n], vec[p+n+1], vec[p+n+2], vec[p+n+3]};
      p = p + n + 4;
      ack_mode = (v == 0) ? 0 : 1;
      cmd_op = 3'd3; cmd_count = cnt; cmd_bearer = bearer; cmd_direction = dir;
      cmd_addr = addr; cmd_len = bits; w0 = nwrites;
      issue;
      check(got_status == 3'd0 && got_mac == mac && nwrites == w0, "NIA2 vector");
      if (!(got_mac == mac)) $display("  vector %0d: bits %0d mac %h expected %h", v, bits, got_mac, mac);
    end
    ack_mode = 1;
    // region past the end of the buffer -> BAD_LEN; exactly to the end -> OK
    cmd_op = 3'd3; cmd_addr = (1 << AW) - 2; cmd_len = 17; w0 = nwrites;
    issue;
    check(got_status == 3'd3 && got_mac == 0, "NIA2 BAD_LEN");
    cmd_op = 3'd3; cmd_addr = (1 << AW) - 2; cmd_len = 16;
    issue;
    check(got_status == 3'd0 && nwrites == w0, "NIA2 to the end of the buffer");
    // empty message (header only); op 7 is DERIVE now (every op code is used; BAD_OP of the
    // HAS_KDF=0 / RAW_OPS=0 builds: tag_crypto_engine_tb): a zero-length region -> BAD_LEN
    cmd_op = 3'd3; cmd_addr = 5; cmd_len = 0;
    issue;
    check(got_status == 3'd0, "NIA2 empty message");
    cmd_op = 3'd7;
    issue;
    check(got_status == 3'd3, "DERIVE with an empty region: BAD_LEN");
    // ZEROIZE -> NO_KEYS, keys and accumulator cleared
    cmd_op = 3'd1;
    issue;
    check(got_status == 3'd0 && dut.g_ff.ring_q == 0 && dut.g_ff.park_q == 0 && dut.u_aes.key_q == 0 && dut.u_aes.state_q == 0, "ZEROIZE");
    cmd_op = 3'd3; cmd_addr = 0; cmd_len = 64;
    issue;
    check(got_status == 3'd4 && got_mac == 0 && nwrites == w0, "NO_KEYS after ZEROIZE");
    $display("nia2_cmac_tb: %0d passed, %0d failed (%0d cycles)", npass, nfail, cycles);
    $finish;
  end
endmodule
