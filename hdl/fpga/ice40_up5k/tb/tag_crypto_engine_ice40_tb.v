// tag_crypto_engine_ice40_tb -- self-checking testbench for the iCE40 pin shim
// tag_crypto_engine_ice40, driven only through its byte-wide host port (wr, sel, din, dout, busy,
// done) as a host would: PTR + WDATA into the 4 KiB frame buffer, RDATA read-back, PARAM field
// writes, GO, the command octets (keys of LOAD_KEYS; COUNT, BEARER, DIRECTION of NEA2 / NIA2) on
// DATA, each after polling STAT until the previous one was taken, polling the busy/done pins, STAT
// and MAC reads.
//   * NIA2: official 128-NIA2 vectors TS 33.401 C.2.1 (58 bits) and C.2.3 (254 bits): message
//     written into the frame buffer and read back, NIA2 run, 32-bit MAC read on the MAC register;
//   * NEA2: official 128-NEA2 vectors TS 33.401 C.1.1 (253 bits, unused bits of the last octet set
//     to 1 on input: they must come out 0) and C.1.2 (798 bits): plaintext written, NEA2 run in
//     place, ciphertext burst-read back from the frame buffer with guard octets on both sides
//     untouched; C.1.1 is then deciphered in place again. Host frame writes issued while busy
//     must be ignored. Also NO_KEYS after reset and the STAT / busy / done handshake.
//   * Ownership: a request built with the raw ops (REQ COUNT / BEARER / DIRECTION of the default
//     profile) is unprotected while the host writes its ciphered part in every cycle from the MAC
//     comparison on (after the MAC pass read it): the writes are ignored (the engine holds
//     mem_own) and the authenticated octets come back deciphered.
//   * ZEROIZE (GO op 1) in any state: with a LOAD_KEYS stuck after 7 of its 32 octets (an 8th
//     written to DATA in the cycle before), it clears the holding register, the engine's key ring, park RAM and
//     AES registers, reports done / OK, and the next NIA2 gets NO_KEYS; and with an octet left in
//     DATA while idle (a MAC unread and an RDATA in the cycle before); PARAM, MAC, status, dout
//     and the pending command / acknowledge / read flags cleared at the GO, dout 0 throughout;
//     after a NO_KEYS status; during an NEA2 in a cycle acknowledging a memory transfer; with a GO
//     not yet taken (during the scrub after reset): dropped, the frame buffer the host's again.
//   * After reset: every shim register cleared (dout 0), STAT 0, the MAC register reads 0, PTR 0,
//     no done without a command; the frame buffer has 4 KiB (0x000 and 0x800 distinct). STAT while
//     busy shows done 0 and the previous status, and dout holds a STAT read (snapshot). NIA2 also
//     of C.2.2 (MAC bit 31 set); the MAC register reads 0 after its 4 octets. BAD_LEN for a
//     length with bit 15 set. A host frame write in the cycle after GO is ignored.
// Vectors: hdl/build/{nia2,nea2}_vec.memh + tbvec_engine.vh from hdl/engine/tb/tbvec.py (record
// layout: count(2), then per vector key(16) count(4) bearer(1) direction(1) bits(2) data).
`timescale 1ns/1ps
`include "tbvec_engine.vh"
module tag_crypto_engine_ice40_tb;
  localparam [2:0] S_DATA = 3'd0, S_PARAM = 3'd1, S_PTR = 3'd2, S_WDATA = 3'd3, S_GO = 3'd4,
                   S_RDATA = 3'd5, S_STAT = 3'd6, S_MAC = 3'd7;
  localparam [2:0] OP_LOAD = 3'd0, OP_ZERO = 3'd1, OP_NEA = 3'd2, OP_NIA = 3'd3, OP_UNP = 3'd4;
  localparam [2:0] OP_HASH = 3'd6;
  reg [7:0] hcfg_oct = 8'h00;            // HASH command octet {hmac, klen}
  localparam [2:0] ST_OK = 3'd0, ST_BAD_LEN = 3'd3, ST_NO_KEYS = 3'd4;

  reg        clk = 1'b0;
  reg        rst_n = 1'b0;
  reg        wr = 1'b0;
  reg  [2:0] sel = 3'd0;
  reg  [7:0] din = 8'd0;
  wire [7:0] dout;
  wire       busy, done;

  tag_crypto_engine_ice40 dut (
    .clk(clk), .rst_n(rst_n), .wr(wr), .sel(sel), .din(din), .dout(dout), .busy(busy), .done(done));

  always #5 clk = ~clk;

  integer pass = 0, fail = 0, cyc = 0;
  always @(posedge clk) cyc <= cyc + 1;

  task check(input ok, input [8*56-1:0] what);
    begin
      if (ok) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (cycle %0d)", what, cyc); end
    end
  endtask

  // ---------------- host port primitives (inputs change on the falling edge) ----------------
  task hw(input [2:0] s, input [7:0] d);   // one write cycle
    begin
      @(negedge clk); wr = 1'b1; sel = s; din = d;
      @(posedge clk); #1 wr = 1'b0;
    end
  endtask
  task hr(input [2:0] s, output [7:0] d);  // STAT / MAC: dout valid after the write edge
    begin
      hw(s, 8'h00); d = dout;
    end
  endtask
  task set_ptr(input [11:0] a);
    begin hw(S_PTR, {4'd0, a[11:8]}); hw(S_PTR, a[7:0]); end
  endtask
  task rd_frame(output [7:0] d);           // RDATA: dout valid one cycle later
    begin hw(S_RDATA, 8'h00); @(posedge clk); #1 d = dout; end
  endtask
  // command octets sent on DATA after GO: keys (LOAD_KEYS) or COUNT / BEARER / DIRECTION
  reg [255:0] keys_oct;
  reg [39:0]  hdr_oct;
  task load_keys(input [127:0] kenc, input [127:0] kint);
    begin keys_oct = {kenc, kint}; end
  endtask
  task set_fields(input [15:0] len, input [11:0] addr, input dir, input [4:0] bearer, input [31:0] count);
    reg [31:0] f; integer k;
    begin
      f = {4'd0, len, addr};
      for (k = 0; k < 4; k = k + 1) hw(S_PARAM, f[31 - 8*k -: 8]);
      hdr_oct = {count, bearer, dir, 2'b00};
    end
  endtask
  // one command octet: wait until STAT shows the holding register empty, then write DATA
  // STAT read while busy: done 0, bits 5:3 0, the status of the previous command (last_st)
  reg [7:0] dst;
  reg [2:0] last_st = 3'd0;
  task send_octet(input [7:0] o);
    integer t;
    begin
      t = cyc;
      hr(S_STAT, dst);
      while (dst[6] === 1'b1 && cyc - t < 2000) hr(S_STAT, dst);
      check(dst[6] === 1'b0, "DATA holding register freed");
      check(dst[7] === 1'b0 && dst[5:3] === 3'b000 && dst[2:0] === last_st,
            "STAT while busy: done 0, previous status");
      hw(S_DATA, o);
    end
  endtask
  // GO, then poll the pins (optionally poke the frame buffer while busy), then read and check STAT
  reg [7:0] stat, snap;
  integer   t0, op_cycles;
  task go(input [2:0] op, input integer pokes, input [2:0] exp_st, input [8*40-1:0] what);
    integer k;
    begin
      hw(S_GO, {5'd0, op});
      t0 = cyc;
      check(busy === 1'b1 && done === 1'b0, "busy high, done low after GO");
      if (op == OP_LOAD) for (k = 0; k < 32; k = k + 1) send_octet(keys_oct[255 - 8*k -: 8]);
      if (op == OP_NEA || op == OP_NIA) for (k = 0; k < 5; k = k + 1) send_octet(hdr_oct[39 - 8*k -: 8]);
      if (op == OP_HASH) send_octet(hcfg_oct);
      for (k = 0; k < pokes; k = k + 1) hw(S_WDATA, 8'hee);   // must be ignored while busy
      hr(S_STAT, snap);                      // a STAT read is a snapshot: dout holds it
      while (busy === 1'b1 && cyc - t0 < 200000) @(negedge clk);
      op_cycles = cyc - t0;
      check(busy === 1'b0 && done === 1'b1, "busy low, done high after the command");
      @(negedge clk);
      check(dout === snap, "dout holds the STAT read while busy");
      hr(S_STAT, stat);
      last_st = stat[2:0];
      check(stat === {1'b1, 4'd0, exp_st}, what);
      if (stat !== {1'b1, 4'd0, exp_st}) $display("       STAT %h expected %h", stat, {1'b1, 4'd0, exp_st});
    end
  endtask

  // the SHA-256 unit's block RAMs (KDF_STYLE 1: main copy, tap copies) and their read registers
  reg [7:0] hv [0:`HASH_VEC_LEN-1];
  integer   hn, hkl, hml, hbad, hzbad, hdone;
  // (any word of the main copy or of a tap copy, g_tap[j].g_m.m, or a read register not 0)
  wire [31:0] u_enz;
  wire [11:0] u_qnz;
  genvar ue, uk;
  generate
    for (uk = 0; uk < 12; uk = uk + 1) begin : g_uq
      assign u_qnz[uk] = (dut.u_engine.g_kdf.u_kdf.g_rram.g_tap[uk].g_m.q !== 0);
    end
    for (ue = 0; ue < 32; ue = ue + 1) begin : g_ue
      wire [11:0] tnz;
      for (uk = 0; uk < 12; uk = uk + 1) begin : g_uk
        assign tnz[uk] = (dut.u_engine.g_kdf.u_kdf.g_rram.g_tap[uk].g_m.m[ue] !== 0);
      end
      assign u_enz[ue] = (dut.u_engine.g_kdf.u_kdf.g_rram.mm[ue] !== 24'd0) || (tnz != 12'd0);
    end
  endgenerate
  task unit_zero(output z);
    z = (dut.u_engine.g_kdf.u_kdf.g_rram.m0_q === 24'd0) && (u_qnz === 12'd0) && (u_enz === 32'd0);
  endtask

  // every secret register of the engine (FPGA coding) and the shim's DATA holding register is zero
  integer zk;
  reg     zall;
  task secrets_zero(output z);
    begin
      z = (dut.dat_q === 8'h00) && (dut.mac_q === 32'd0) && (dut.u_engine.u_aes.key_q === 128'd0) &&
          (dut.u_engine.u_aes.state_q === 128'd0) && (dut.u_engine.u_aes.g_fpga.sin_q === 128'd0);
      for (zk = 0; zk < 32; zk = zk + 1) if (dut.u_engine.g_ram.ring_m[zk] !== 8'h00) z = 1'b0;
      for (zk = 0; zk < 16; zk = zk + 1) if (dut.u_engine.g_ram.park_m[zk] !== 8'h00) z = 1'b0;
    end
  endtask
  // GO ZEROIZE, wait for done, STAT OK
  reg zdout;
  // (zeroize_at: the GO write in the current cycle, called right after a falling edge)
  task zeroize_cmd(input [8*40-1:0] what);
    begin @(negedge clk); zeroize_at(what); end
  endtask
  task zeroize_at(input [8*40-1:0] what);
    begin
      wr = 1'b1; sel = S_GO; din = {5'd0, OP_ZERO};
      @(posedge clk); #1 wr = 1'b0;
      t0 = cyc;
      check(dut.dat_v === 1'b0 && dut.dat_q === 8'h00, "ZEROIZE clears the DATA holding register at once");
      check(dut.prm_sr === 28'd0 && dut.mac_q === 32'd0 && dut.st_q === 3'd0 && dout === 8'h00,
            "ZEROIZE clears PARAM, MAC, status and dout at once");
      check(busy === 1'b1 && done === 1'b0 && dut.go_q === 1'b0 && dut.ack_q === 1'b0 && dut.rd_q === 1'b0,
            "ZEROIZE: busy, done low, no command, ack or read left");
      zdout = 1'b1;
      while (busy === 1'b1 && cyc - t0 < 2000) begin
        @(negedge clk);
        if (dout !== 8'h00) zdout = 1'b0;
      end
      check(zdout, "dout stays 0 through the ZEROIZE");
      last_st = 3'd0;
      hr(S_STAT, stat);
      check(busy === 1'b0 && done === 1'b1 && stat === 8'h80, what);
      secrets_zero(zall);
      check(zall, "ZEROIZE: no secret bit left in the engine or the shim");
    end
  endtask

  // ---------------- vectors ----------------
  reg [7:0] nia [0:`NIA2_VEC_LEN-1];
  reg [7:0] nea [0:`NEA2_VEC_LEN-1];
  reg [127:0] key;
  reg [31:0]  cnt, mac, exp_mac;
  reg [4:0]   bearer;
  reg         dir;
  integer     bits, n, p, v, i, j, addr, ok;
  reg [7:0]   d, d2, exp, lastmask;
  reg [7:0]   rb [0:4095];

  // header of the record at p (in the memory chosen by which: 0 NIA2, 1 NEA2), p moved past it
  task rec(input which, inout integer pp);
    integer k;
    begin
      for (k = 0; k < 24; k = k + 1) rb[k] = which ? nea[pp + k] : nia[pp + k];
      for (k = 0; k < 16; k = k + 1) key[127 - 8*k -: 8] = rb[k];
      cnt = {rb[16], rb[17], rb[18], rb[19]}; bearer = rb[20][4:0]; dir = rb[21][0];
      bits = {rb[22], rb[23]}; n = (bits + 7) / 8; pp = pp + 24;
    end
  endtask
  // skip the data of the current record
  task skip(input which, inout integer pp);
    begin pp = pp + (which ? 2 * n : n + 4); end
  endtask

  // burst RDATA read of len octets from a into rb[] (one read per cycle, 2-cycle pipeline)
  task burst_read(input [11:0] a, input integer len);
    integer k;
    begin
      set_ptr(a);
      for (k = 0; k < len + 2; k = k + 1) begin
        @(negedge clk);
        if (k >= 2) rb[k - 2] = dout;
        wr = (k < len); sel = S_RDATA; din = 8'h00;
      end
      wr = 1'b0;
    end
  endtask

  initial begin
    $readmemh(`NIA2_VEC_FILE, nia, 0, `NIA2_VEC_LEN - 1);
    $readmemh(`NEA2_VEC_FILE, nea, 0, `NEA2_VEC_LEN - 1);
    repeat (3) @(posedge clk);
    @(negedge clk) rst_n = 1'b1;
    check(busy === 1'b0 && done === 1'b0, "idle after reset");
    // every shim register in its reset state (op_q, the code of a command not issued, and ack_q,
    // an acknowledge of no request, excepted) and dout 0, also a cycle later (no read pending)
    check(dut.prm_sr === 28'd0 && dut.dat_q === 8'd0 && dut.dat_v === 1'b0 && dut.ptr_q === 12'd0 &&
          dut.go_q === 1'b0 && dut.busy_q === 1'b0 && dut.done_q === 1'b0 && dut.st_q === 3'd0 &&
          dut.mac_q === 32'd0 && dut.rd_q === 1'b0 && dut.zero_q === 1'b0 && dut.zwait_q === 1'b0 &&
          dout === 8'h00, "reset clears the shim registers and dout");
    @(negedge clk);
    check(dout === 8'h00, "dout 0 a cycle after reset");
    hr(S_STAT, stat);
    check(stat === 8'h00, "STAT after reset");
    // the MAC register reads 0 and PTR is 0 after reset (a WDATA without PTR writes octet 0, once
    // the engine's 32-cycle scrub, which holds the frame buffer, is over)
    ok = 1;
    for (i = 0; i < 4; i = i + 1) begin hr(S_MAC, d); if (d !== 8'h00) ok = 0; end
    check(ok, "MAC register 0 after reset");
    repeat (40) @(negedge clk);
    check(busy === 1'b0 && done === 1'b0, "no done after the reset scrub without a command");
    hw(S_WDATA, 8'h3c);
    set_ptr(12'h000);
    rd_frame(d);
    check(d === 8'h3c, "PTR 0 after reset (WDATA without PTR writes octet 0)");
    // the frame buffer has 4 KiB: octets 0x000 and 0x800 are distinct
    set_ptr(12'h800); hw(S_WDATA, 8'ha1);
    set_ptr(12'h000); rd_frame(d);
    set_ptr(12'h800); rd_frame(d2);
    check(d === 8'h3c && d2 === 8'ha1, "4 KiB frame buffer (0x000 and 0x800 distinct)");

    // NIA2 before any key: NO_KEYS
    set_fields(16'd64, 12'd0, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_NO_KEYS, "NIA2 before LOAD_KEYS: STAT NO_KEYS");

    // ---------------- NIA2: records 0 (C.2.1) and 2 (C.2.3) ----------------
    p = 2;
    for (v = 0; v <= 2; v = v + 1) begin
      rec(0, p);
      begin
        addr = (v == 0) ? 12'h123 : (v == 1) ? 12'h7f9 : 12'hf80;
        load_keys(~key, key);                 // KCommand_enc (unused by NIA2), KCommand_int
        go(OP_LOAD, 0, ST_OK, "LOAD_KEYS: STAT done, OK");
        check(dut.dat_q === 8'h00, "no key octet left in the DATA holding register");
        set_ptr(addr[11:0]);
        for (i = 0; i < n; i = i + 1) hw(S_WDATA, nia[p + i]);
        // read the message back octet by octet
        set_ptr(addr[11:0]);
        ok = 1;
        for (i = 0; i < n; i = i + 1) begin
          rd_frame(d);
          if (d !== nia[p + i]) ok = 0;
        end
        check(ok, "frame buffer write / read-back (PTR, WDATA, RDATA)");
        set_fields(bits[15:0], addr[11:0], dir, bearer, cnt);
        go(OP_NIA, 0, ST_OK, "NIA2: STAT done, OK");
        exp_mac = {nia[p + n], nia[p + n + 1], nia[p + n + 2], nia[p + n + 3]};
        for (i = 0; i < 4; i = i + 1) begin hr(S_MAC, d); mac[31 - 8*i -: 8] = d; end
        check(mac === exp_mac, "NIA2 MAC read from the MAC register");
        hr(S_MAC, d);
        check(d === 8'h00 && dut.mac_q === 32'd0, "MAC register empty after its 4 octets");
        $display("tag_crypto_engine_ice40_tb: NIA2 record %0d (%0d bits): MAC %h expected %h, %0d cycles",
                 v, bits, mac, exp_mac, op_cycles);
        skip(0, p);
      end
    end

    // a length with bit 15 set (4096 octets from 0x001): BAD_LEN, a status with bit 0 set, shown
    // by STAT while idle and, during the next command, while busy
    set_fields(16'h8000, 12'h001, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_BAD_LEN, "NIA2 of 4096 octets from 0x001: STAT BAD_LEN");
    // a host frame write in the cycle after GO (busy, the engine not yet holding mem_own) is ignored
    set_ptr(12'h0f0); hw(S_WDATA, 8'h55);
    set_fields(16'd64, 12'h100, 1'b0, 5'd0, 32'd0);
    set_ptr(12'h0f0);
    hw(S_GO, {5'd0, OP_NIA});
    t0 = cyc;
    hw(S_WDATA, 8'hee);
    for (i = 0; i < 5; i = i + 1) send_octet(8'h00);
    while (busy === 1'b1 && cyc - t0 < 20000) @(negedge clk);
    hr(S_STAT, stat);
    check(stat === {1'b1, 4'd0, ST_OK}, "NIA2 with a host write right after GO: OK");
    last_st = stat[2:0];
    set_ptr(12'h0f0); rd_frame(d);
    check(d === 8'h55, "host frame write in the cycle after GO ignored");

    // ---------------- NEA2: records 0 (C.1.1) and 1 (C.1.2) ----------------
    p = 2;
    for (v = 0; v <= 1; v = v + 1) begin
      rec(1, p);
      addr = (v == 0) ? 12'h201 : 12'hc40;
      load_keys(key, ~key);                   // KCommand_enc, KCommand_int (unused by NEA2)
      go(OP_LOAD, 0, ST_OK, "LOAD_KEYS: STAT done, OK");
      lastmask = (bits % 8 == 0) ? 8'h00 : (8'hff >> (bits % 8));
      // guard octet, plaintext (unused bits of the last octet set to 1), guard octet
      set_ptr(addr - 1);
      hw(S_WDATA, 8'h5a);
      for (i = 0; i < n; i = i + 1) hw(S_WDATA, nea[p + i] | ((i == n - 1) ? lastmask : 8'h00));
      hw(S_WDATA, 8'ha5);
      set_fields(bits[15:0], addr[11:0], dir, bearer, cnt);
      go(OP_NEA, 3, ST_OK, "NEA2: STAT done, OK");
      burst_read(addr - 1, n + 2);
      ok = (rb[0] === 8'h5a) && (rb[n + 1] === 8'ha5);
      if (!ok) $display("       guards %h %h", rb[0], rb[n + 1]);
      for (i = 0; i < n; i = i + 1) begin
        exp = nea[p + n + i];
        if (rb[i + 1] !== exp) begin
          ok = 0;
          if (i < 4 || i == n - 1) $display("       octet %0d: %h expected %h", i, rb[i + 1], exp);
        end
      end
      check(ok, "NEA2 ciphertext read back from the frame buffer");
      $display("tag_crypto_engine_ice40_tb: NEA2 record %0d (%0d bits): %0s, %0d cycles",
               v, bits, ok ? "ciphertext ok" : "ciphertext WRONG", op_cycles);
      if (v == 0) begin
        // decipher in place again: the plaintext (unused bits now 0) must come back
        go(OP_NEA, 0, ST_OK, "NEA2 (decipher): STAT done, OK");
        burst_read(addr - 1, n + 2);
        ok = (rb[0] === 8'h5a) && (rb[n + 1] === 8'ha5);
        for (i = 0; i < n; i = i + 1) if (rb[i + 1] !== nea[p + i]) ok = 0;
        check(ok, "NEA2 in place twice gives the plaintext back");
      end
      skip(1, p);
    end

    // ---------------- ownership: host writes during UNPROTECT are ignored ----------------
    // request at 0x400: [EPD 0x7e][IND 0x02][MAC (4)][ciphered part (16)]; MAC input at 0x500
    load_keys(128'h000102030405060708090a0b0c0d0e0f, 128'hf0e0d0c0b0a090807060504030201000);
    go(OP_LOAD, 0, ST_OK, "LOAD_KEYS (ownership test): OK");
    set_ptr(12'h406);
    for (i = 0; i < 16; i = i + 1) hw(S_WDATA, 8'h30 + i);
    set_fields(16'd128, 12'h406, 1'b1, 5'd0, 32'd0);
    go(OP_NEA, 0, ST_OK, "raw NEA2 of the request body: OK");
    burst_read(12'h406, 16);
    set_ptr(12'h500); hw(S_WDATA, 8'h7e); hw(S_WDATA, 8'h02);
    for (i = 0; i < 16; i = i + 1) hw(S_WDATA, rb[i]);
    set_fields(16'd144, 12'h500, 1'b1, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_OK, "raw NIA2 of the request: OK");
    for (i = 0; i < 4; i = i + 1) begin hr(S_MAC, d); mac[31 - 8*i -: 8] = d; end
    set_ptr(12'h400); hw(S_WDATA, 8'h7e); hw(S_WDATA, 8'h02);
    for (i = 0; i < 4; i = i + 1) hw(S_WDATA, mac[31 - 8*i -: 8]);
    set_fields(16'd22, 12'h400, 1'b0, 5'd0, 32'd0);
    set_ptr(12'h406);
    hw(S_GO, {5'd0, OP_UNP});
    t0 = cyc; j = 0;
    while (dut.u_engine.state_q !== 5'd15 && cyc - t0 < 20000) @(negedge clk);
    while (busy === 1'b1 && cyc - t0 < 20000) begin hw(S_WDATA, 8'hee); j = j + 1; end
    hr(S_STAT, stat);
    check(stat === {1'b1, 4'd0, ST_OK}, "UNPROTECT with host writes to its ciphered part: OK");
    last_st = stat[2:0];
    burst_read(12'h406, 16);
    ok = (j > 100);
    for (i = 0; i < 16; i = i + 1) if (rb[i] !== 8'h30 + i) ok = 0;
    check(ok, "ownership: host writes ignored, authenticated octets deciphered");
    $display("tag_crypto_engine_ice40_tb: UNPROTECT with %0d ignored host writes to its ciphered part: %0s",
             j, ok ? "plaintext ok" : "plaintext WRONG");

    // ---------------- ZEROIZE in any state ----------------
    load_keys(~key, key);
    go(OP_LOAD, 0, ST_OK, "LOAD_KEYS: OK");
    // idle with a MAC not read, an octet waiting in DATA and an RDATA issued in the cycle before
    set_fields(16'd64, 12'h123, 1'b0, 5'd3, 32'h00001234);
    go(OP_NIA, 0, ST_OK, "NIA2 (MAC left unread): OK");
    check(dut.mac_q !== 32'd0, "MAC waiting in the MAC register");
    set_ptr(12'h300); hw(S_WDATA, 8'h96); hw(S_WDATA, 8'h69);
    hw(S_DATA, 8'h5c);                       // an octet left waiting while idle
    check(dut.dat_v === 1'b1 && dut.dat_q === 8'h5c, "octet waiting in DATA");
    set_ptr(12'h300);
    hw(S_RDATA, 8'h00);                      // dout <= 96 due in the ZEROIZE cycle
    zeroize_cmd("ZEROIZE while idle: done, OK");
    ok = 1;
    for (i = 0; i < 4; i = i + 1) begin hr(S_MAC, d); if (d !== 8'h00) ok = 0; end
    check(ok, "MAC register reads 0 after ZEROIZE");
    hw(S_GO, {5'd0, OP_LOAD});               // LOAD_KEYS stuck after 7 octets
    for (i = 0; i < 7; i = i + 1) send_octet(8'ha0 + i);
    repeat (200) @(negedge clk);
    check(busy === 1'b1 && dut.dat_v === 1'b0, "LOAD_KEYS missing octets: busy, waiting for octets");
    hw(S_DATA, 8'hc3);                       // written just before the ZEROIZE
    zeroize_cmd("ZEROIZE in a stuck LOAD_KEYS: done, OK");
    set_fields(16'd64, 12'd0, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_NO_KEYS, "NIA2 after ZEROIZE: STAT NO_KEYS");
    zeroize_cmd("ZEROIZE after a NO_KEYS status: done, OK");   // the status is cleared at the GO

    // ZEROIZE during an NEA2, in a cycle that acknowledges a memory transfer: no acknowledge is
    // left for the cycle after (the engine sees zeroize then: no frame write may complete)
    load_keys(~key, key);
    go(OP_LOAD, 0, ST_OK, "LOAD_KEYS: OK");
    set_fields(16'd2048, 12'h600, 1'b0, 5'd1, 32'h00000077);
    hw(S_GO, {5'd0, OP_NEA});
    for (i = 0; i < 5; i = i + 1) send_octet(8'h00);
    t0 = cyc;
    repeat (300) @(negedge clk);
    while (!(dut.ack_q === 1'b0 && dut.mem_req === 1'b1) && cyc - t0 < 2000) @(negedge clk);
    @(negedge clk);
    check(busy === 1'b1 && dut.ack_q === 1'b1, "NEA2 running, a memory transfer acknowledged");
    zeroize_at("ZEROIZE during NEA2: done, OK");
    set_fields(16'd64, 12'd0, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_NO_KEYS, "NIA2 after ZEROIZE during NEA2: STAT NO_KEYS");

    // reset, a GO during the engine's scrub (not taken yet), then ZEROIZE: the command is dropped
    // (after the ZEROIZE the engine is idle: the host owns the frame buffer again)
    @(negedge clk) rst_n = 1'b0;
    @(negedge clk) rst_n = 1'b1;
    hw(S_GO, {5'd0, OP_NIA});
    check(dut.go_q === 1'b1 && busy === 1'b1, "GO during the scrub after reset: waiting");
    zeroize_cmd("ZEROIZE with a GO not taken: done, OK");
    repeat (40) @(negedge clk);
    check(busy === 1'b0 && done === 1'b1, "no command after the ZEROIZE");
    set_ptr(12'h0f0); hw(S_WDATA, 8'h5a);
    set_ptr(12'h0f0); rd_frame(d);
    check(d === 8'h5a, "frame buffer the host's after the ZEROIZE");

    // ---------------- HASH: records of hash_vec.memh (0: a TS 33.220 KDF answer, 5 / 6: FIPS
    // 180-4 one and two blocks, 9: RFC 4231 with a 4-octet key, 13: a 64-octet key, 17: SHA-256
    // over 200 octets): the SHA-256 unit in its block-RAM coding (KDF_STYLE 1) through the shim;
    // the digest over the region's first 32 octets, the unit's RAMs all zero afterwards
    $readmemh(`HASH_VEC_FILE, hv, 0, `HASH_VEC_LEN - 1);
    hn = {hv[0], hv[1]}; p = 2; hbad = 0; hzbad = 0; hdone = 0;
    for (v = 0; v < hn; v = v + 1) begin
      hkl = hv[p + 1]; hml = {hv[p + 2], hv[p + 3]};
      if (v == 0 || v == 5 || v == 6 || v == 9 || v == 13 || v == 17) begin
      hdone = hdone + 1;
      hcfg_oct = {hv[p][0], hkl[6:0]};
      set_ptr(12'h100);
      for (i = 0; i < hkl + hml; i = i + 1) hw(S_WDATA, hv[p + 4 + i]);
      set_fields(hkl + hml, 12'h100, 1'b0, 5'd0, 32'd0);
      go(OP_HASH, 2, ST_OK, "HASH: STAT done, OK");
      p = p + 4 + hkl + hml;
      burst_read(12'h100, 32);
      ok = 1;
      for (i = 0; i < 32; i = i + 1) if (rb[i] !== hv[p + i]) ok = 0;
      if (!ok) hbad = hbad + 1;
      if (v == 0) $display("tag_crypto_engine_ice40_tb: HASH record 0 (key %0d, message %0d octets): %0d cycles", hkl, hml, op_cycles);
      p = p + 32;
      unit_zero(ok);
      if (!ok) hzbad = hzbad + 1;
      end else p = p + 4 + hkl + hml + 32;
    end
    check(hdone == 6 && hbad == 0, "HASH (KDF_STYLE 1): the digests of 6 records");
    if (hbad != 0) $display("       %0d of %0d HASH records wrong", hbad, hdone);
    check(hzbad == 0, "HASH: the SHA-256 unit's RAMs and read registers zero after each call");

    $display("tag_crypto_engine_ice40_tb: %0d passed, %0d failed (%0d cycles)", pass, fail, cyc);
    if (fail != 0) $fatal(1, "tag_crypto_engine_ice40_tb FAILED");
    $finish;
  end

  initial begin
    #4000000;
    $display("FAIL: tag_crypto_engine_ice40_tb timeout");
    $fatal(1, "timeout");
  end
endmodule
