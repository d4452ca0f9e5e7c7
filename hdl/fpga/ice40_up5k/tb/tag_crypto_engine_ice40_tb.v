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
//     DATA while idle; PARAM, MAC, status and dout cleared at the GO. After reset: STAT 0, the MAC
//     register reads 0, PTR is 0.
// Vectors: hdl/build/{nia2,nea2}_vec.memh + tbvec_engine.vh from hdl/engine/tb/tbvec.py (record
// layout: count(2), then per vector key(16) count(4) bearer(1) direction(1) bits(2) data).
`timescale 1ns/1ps
`include "tbvec_engine.vh"
module tag_crypto_engine_ice40_tb;
  localparam [2:0] S_DATA = 3'd0, S_PARAM = 3'd1, S_PTR = 3'd2, S_WDATA = 3'd3, S_GO = 3'd4,
                   S_RDATA = 3'd5, S_STAT = 3'd6, S_MAC = 3'd7;
  localparam [2:0] OP_LOAD = 3'd0, OP_ZERO = 3'd1, OP_NEA = 3'd2, OP_NIA = 3'd3, OP_UNP = 3'd4;
  localparam [2:0] ST_OK = 3'd0, ST_NO_KEYS = 3'd4;

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
  reg [7:0] dst;
  task send_octet(input [7:0] o);
    integer t;
    begin
      t = cyc;
      hr(S_STAT, dst);
      while (dst[6] === 1'b1 && cyc - t < 2000) hr(S_STAT, dst);
      check(dst[6] === 1'b0, "DATA holding register freed");
      hw(S_DATA, o);
    end
  endtask
  // GO, then poll the pins (optionally poke the frame buffer while busy), then read and check STAT
  reg [7:0] stat;
  integer   t0, op_cycles;
  task go(input [2:0] op, input integer pokes, input [2:0] exp_st, input [8*40-1:0] what);
    integer k;
    begin
      hw(S_GO, {5'd0, op});
      t0 = cyc;
      check(busy === 1'b1 && done === 1'b0, "busy high, done low after GO");
      if (op == OP_LOAD) for (k = 0; k < 32; k = k + 1) send_octet(keys_oct[255 - 8*k -: 8]);
      if (op == OP_NEA || op == OP_NIA) for (k = 0; k < 5; k = k + 1) send_octet(hdr_oct[39 - 8*k -: 8]);
      for (k = 0; k < pokes; k = k + 1) hw(S_WDATA, 8'hee);   // must be ignored while busy
      while (busy === 1'b1 && cyc - t0 < 20000) @(negedge clk);
      op_cycles = cyc - t0;
      check(busy === 1'b0 && done === 1'b1, "busy low, done high after the command");
      hr(S_STAT, stat);
      check(stat === {1'b1, 4'd0, exp_st}, what);
      if (stat !== {1'b1, 4'd0, exp_st}) $display("       STAT %h expected %h", stat, {1'b1, 4'd0, exp_st});
    end
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
  task zeroize_cmd(input [8*40-1:0] what);
    begin
      hw(S_GO, {5'd0, OP_ZERO});
      t0 = cyc;
      check(dut.dat_v === 1'b0 && dut.dat_q === 8'h00, "ZEROIZE clears the DATA holding register at once");
      check(dut.prm_sr === 28'd0 && dut.mac_q === 32'd0 && dut.st_q === 3'd0 && dout === 8'h00,
            "ZEROIZE clears PARAM, MAC, status and dout at once");
      while (busy === 1'b1 && cyc - t0 < 2000) @(negedge clk);
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
  reg [7:0]   d, exp, lastmask;
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
    hr(S_STAT, stat);
    check(stat === 8'h00, "STAT after reset");
    // the MAC register reads 0 and PTR is 0 after reset (a WDATA without PTR writes octet 0, once
    // the engine's 32-cycle scrub, which holds the frame buffer, is over)
    ok = 1;
    for (i = 0; i < 4; i = i + 1) begin hr(S_MAC, d); if (d !== 8'h00) ok = 0; end
    check(ok, "MAC register 0 after reset");
    repeat (40) @(negedge clk);
    hw(S_WDATA, 8'h3c);
    set_ptr(12'h000);
    rd_frame(d);
    check(d === 8'h3c, "PTR 0 after reset (WDATA without PTR writes octet 0)");

    // NIA2 before any key: NO_KEYS
    set_fields(16'd64, 12'd0, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_NO_KEYS, "NIA2 before LOAD_KEYS: STAT NO_KEYS");

    // ---------------- NIA2: records 0 (C.2.1) and 2 (C.2.3) ----------------
    p = 2;
    for (v = 0; v <= 2; v = v + 1) begin
      rec(0, p);
      if (v == 1) skip(0, p);
      else begin
        addr = (v == 0) ? 12'h123 : 12'hf80;
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
        $display("tag_crypto_engine_ice40_tb: NIA2 record %0d (%0d bits): MAC %h expected %h, %0d cycles",
                 v, bits, mac, exp_mac, op_cycles);
        skip(0, p);
      end
    end

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
    burst_read(12'h406, 16);
    ok = (j > 100);
    for (i = 0; i < 16; i = i + 1) if (rb[i] !== 8'h30 + i) ok = 0;
    check(ok, "ownership: host writes ignored, authenticated octets deciphered");
    $display("tag_crypto_engine_ice40_tb: UNPROTECT with %0d ignored host writes to its ciphered part: %0s",
             j, ok ? "plaintext ok" : "plaintext WRONG");

    // ---------------- ZEROIZE in any state ----------------
    load_keys(~key, key);
    go(OP_LOAD, 0, ST_OK, "LOAD_KEYS: OK");
    hw(S_DATA, 8'h5c);                       // an octet left waiting while idle
    check(dut.dat_v === 1'b1 && dut.dat_q === 8'h5c, "octet waiting in DATA");
    zeroize_cmd("ZEROIZE while idle: done, OK");
    hw(S_GO, {5'd0, OP_LOAD});               // LOAD_KEYS stuck after 7 octets
    for (i = 0; i < 7; i = i + 1) send_octet(8'ha0 + i);
    repeat (200) @(negedge clk);
    check(busy === 1'b1 && dut.dat_v === 1'b0, "LOAD_KEYS missing octets: busy, waiting for octets");
    hw(S_DATA, 8'hc3);                       // written just before the ZEROIZE
    zeroize_cmd("ZEROIZE in a stuck LOAD_KEYS: done, OK");
    set_fields(16'd64, 12'd0, 1'b0, 5'd0, 32'd0);
    go(OP_NIA, 0, ST_NO_KEYS, "NIA2 after ZEROIZE: STAT NO_KEYS");

    $display("tag_crypto_engine_ice40_tb: %0d passed, %0d failed (%0d cycles)", pass, fail, cyc);
    if (fail != 0) $fatal(1, "tag_crypto_engine_ice40_tb FAILED");
    $finish;
  end

  initial begin
    #2000000;
    $display("FAIL: tag_crypto_engine_ice40_tb timeout");
    $fatal(1, "timeout");
  end
endmodule
