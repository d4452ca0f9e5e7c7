// engine_uart_bridge_tb: the bridge with the engine, driven through its UART pins only, as the
// host does (hdl/bridge/PROTOCOL.md). The testbench's own UART sends requests bit by bit at the
// bridge's rate (CLKS_PER_BIT 4, the smallest the UART takes; the UART's own corners, the
// +-3 % rate among them, are uart_tb's) and decodes every response octet from uart_tx; CRCs are
// computed here from the CRC-16/CCITT-FALSE definition (and checked on "123456789" = 0x29B1).
//   PING (payload, SEQ echo), WRITE / READ round trips, COMMAND LOAD_KEYS + NEA2 on official
//   128-NEA2 sets (TS 33.401 Annex C, hdl/build/nea2_vec.memh from ../shared/vectors/nea2.json
//   by hdl/engine/tb/tbvec.py) and NIA2 on an official 128-NIA2 set, garbage before SYNC, bad
//   CRC, unknown OP, oversized LEN (answered right after LEN), wrong LEN for OP, out-of-range
//   ADDR / COUNT / ENG_OP, a truncated frame (ERR_TIMEOUT, SEQ 00 when cut before SEQ), a framing
//   error (ERR_FRAMING), a frame split over pauses shorter than the timeout, a request while a
//   command runs (ERR_BUSY; PING answered), ERR_OCTETS (engine zeroized), RESET during a command
//   (ERR_ABORTED then OK, engine zeroized), RESET when idle. After each rejected frame the frame
//   buffer is unchanged and no command was started (the testbench counts every frame-buffer write
//   by the bridge and every command handshake); the staging buffer is all zero after every
//   response and after reset.
`timescale 1ns/1ps
module engine_uart_bridge_tb;
`include "tbvec_engine.vh"
  localparam integer CPB  = 4;
  localparam integer TMO  = 3000;
  localparam integer MAXD = 64;
  localparam real    TCLK = 10.0;
  localparam integer NFB  = 4096;

  reg  clk = 1'b0, rst_n = 1'b0, rxl = 1'b1;
  wire txl, led_busy, led_err;
  always #(TCLK / 2) clk = ~clk;

  engine_uart_bridge #(.CLKS_PER_BIT(CPB), .TIMEOUT_CLKS(TMO), .MAX_DATA(MAXD), .ADDR_W(12)) dut (
    .clk(clk), .rst_n(rst_n), .uart_rx(rxl), .uart_tx(txl), .led_busy(led_busy), .led_err(led_err));

  integer pass = 0, fail = 0;
  task check(input c, input [8*96-1:0] msg);
    begin
      if (c === 1'b1) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (t=%0t)", msg, $time); end
    end
  endtask

  // ---------------- monitors: frame-buffer writes by the bridge, command handshakes
  integer fbw = 0, cmds = 0, cyc = 0;
  always @(posedge clk) begin
    cyc = cyc + 1;
    if (rst_n && dut.fb_we && !dut.mem_own) fbw = fbw + 1;
    if (rst_n && dut.go_q && dut.cmd_ready) cmds = cmds + 1;
  end

  // ---------------- host UART
  real bit_ns;
  initial bit_ns = CPB * TCLK;
  task put(input [7:0] b);
    integer k;
    begin
      rxl = 1'b0; #(bit_ns);
      for (k = 0; k < 8; k = k + 1) begin rxl = b[k]; #(bit_ns); end
      rxl = 1'b1; #(bit_ns);
    end
  endtask
  task put_bad_stop(input [7:0] b);   // stop bit 0, then the line back to 1
    integer k;
    begin
      rxl = 1'b0; #(bit_ns);
      for (k = 0; k < 8; k = k + 1) begin rxl = b[k]; #(bit_ns); end
      rxl = 1'b0; #(bit_ns);
      rxl = 1'b1; #(bit_ns);
    end
  endtask

  reg [7:0] rq [0:8191];
  integer   rn = 0, rp = 0;
  integer   k2;
  reg [7:0] rb;
  always begin
    @(negedge txl);
    #(CPB * TCLK / 2);
    if (txl === 1'b0) begin
      for (k2 = 0; k2 < 8; k2 = k2 + 1) begin #(CPB * TCLK); rb[k2] = txl; end
      #(CPB * TCLK);
      if (txl !== 1'b1) $display("FAIL: response octet without a stop bit (t=%0t)", $time);
      rq[rn] = rb; rn = rn + 1;
    end
  end

  // ---------------- CRC-16/CCITT-FALSE, bit by bit from the definition
  reg [15:0] c16;
  task crc_add(input [7:0] b);
    integer k;
    begin
      for (k = 7; k >= 0; k = k - 1)
        c16 = {c16[14:0], 1'b0} ^ ((c16[15] ^ b[k]) ? 16'h1021 : 16'h0000);
    end
  endtask

  // ---------------- requests / responses
  reg  [7:0] pay [0:1023];     // request payload
  reg  [7:0] rpay [0:1023];    // response payload
  reg  [7:0] r_seq, r_st;
  integer    r_len;
  reg        r_crc_ok;
  reg [15:0] bad_crc;          // XORed into the CRC sent (0: correct)

  task send_hdr(input [7:0] seq, input [7:0] op, input [15:0] len);
    begin
      c16 = 16'hffff;
      put(8'ha5);
      put(seq); crc_add(seq); put(op); crc_add(op);
      put(len[15:8]); crc_add(len[15:8]); put(len[7:0]); crc_add(len[7:0]);
    end
  endtask
  task send_pay(input integer n);
    integer k;
    begin
      for (k = 0; k < n; k = k + 1) begin put(pay[k]); crc_add(pay[k]); end
    end
  endtask
  task send_crc;
    reg [15:0] c;
    begin c = c16 ^ bad_crc; put(c[15:8]); put(c[7:0]); end
  endtask
  task req(input [7:0] seq, input [7:0] op, input integer n);
    begin send_hdr(seq, op, n[15:0]); send_pay(n); send_crc; end
  endtask

  // wait for the next response (at most `limit` clocks), decode it
  task get_resp(input integer limit, output ok);
    integer t, k;
    begin
      ok = 1'b0; t = 0;
      while (rn < rp + 5 && t < limit) begin @(posedge clk); t = t + 1; end
      if (rn >= rp + 5) begin
        r_len = {rq[rp + 3], rq[rp + 4]};
        while (rn < rp + 7 + r_len && t < limit) begin @(posedge clk); t = t + 1; end
        if (rn >= rp + 7 + r_len && rq[rp] === 8'h5a) begin
          r_seq = rq[rp + 1]; r_st = rq[rp + 2];
          c16 = 16'hffff;
          for (k = 1; k < 5 + r_len; k = k + 1) crc_add(rq[rp + k]);
          for (k = 0; k < r_len; k = k + 1) rpay[k] = rq[rp + 5 + k];
          r_crc_ok = ({rq[rp + 5 + r_len], rq[rp + 6 + r_len]} === c16);
          ok = 1'b1;
          rp = rp + 7 + r_len;
        end
      end
      if (!ok) begin rp = rn; r_seq = 8'hxx; r_st = 8'hxx; r_len = -1; r_crc_ok = 1'b0; end
    end
  endtask

  // expect a response with this SEQ / STATUS / LEN
  task expect_resp(input [7:0] seq, input [7:0] st, input integer len, input integer limit,
                   input [8*96-1:0] msg);
    reg ok;
    begin
      get_resp(limit, ok);
      check(ok && r_crc_ok && r_seq === seq && r_st === st && r_len == len, msg);
      if (!(ok && r_crc_ok && r_seq === seq && r_st === st && r_len == len))
        $display("       got ok=%b crc_ok=%b seq=%h status=%h len=%0d, expected seq=%h status=%h len=%0d",
                 ok, r_crc_ok, r_seq, r_st, r_len, seq, st, len);
    end
  endtask

  // no response within `limit` clocks
  task expect_none(input integer limit, input [8*96-1:0] msg);
    integer t;
    begin
      t = 0;
      while (rn == rp && t < limit) begin @(posedge clk); t = t + 1; end
      check(rn == rp, msg);
      rp = rn;
    end
  endtask

  localparam integer LONG = 400000;
  localparam integer RT   = 20 * 10 * CPB + 4000;       // a short response, with the scrub

  // frame-buffer helpers over the wire
  reg [7:0] fbm [0:NFB-1];     // what the frame buffer should hold
  reg [7:0] seqn;
  task wr_fb(input integer a, input integer n);    // pay[2 ..] holds the data
    integer k;
    begin
      pay[0] = a[15:8]; pay[1] = a[7:0];
      seqn = seqn + 1;
      req(seqn, 8'h01, n + 2);
      expect_resp(seqn, 8'h00, 0, RT + 20 * n, "WRITE: OK, empty payload");
      for (k = 0; k < n; k = k + 1) fbm[a + k] = pay[2 + k];
    end
  endtask
  task rd_fb(input integer a, input integer n);    // into rpay[0 ..]
    begin
      pay[0] = a[15:8]; pay[1] = a[7:0]; pay[2] = n[15:8]; pay[3] = n[7:0];
      seqn = seqn + 1;
      req(seqn, 8'h02, 4);
      expect_resp(seqn, 8'h00, n, RT + 10 * CPB * n, "READ: OK, COUNT octets");
    end
  endtask
  // the frame-buffer region [a, a + n) holds what the model says
  task fb_same(input integer a, input integer n, input [8*96-1:0] msg);
    integer k, done, m;
    reg ok;
    begin
      ok = 1'b1; done = 0;
      while (done < n) begin
        m = (n - done > MAXD) ? MAXD : n - done;
        rd_fb(a + done, m);
        for (k = 0; k < m; k = k + 1) if (rpay[k] !== fbm[a + done + k]) ok = 1'b0;
        done = done + m;
      end
      check(ok, msg);
    end
  endtask
  // the frame buffer itself (not over the wire) equals the model everywhere
  task fb_all(input [8*96-1:0] msg);
    integer k;
    reg ok;
    begin
      ok = 1'b1;
      for (k = 0; k < NFB; k = k + 1) if (dut.fb[k] !== fbm[k]) ok = 1'b0;
      check(ok, msg);
    end
  endtask
  task stg_zero(input [8*96-1:0] msg);
    integer k;
    reg ok;
    begin
      ok = 1'b1;
      for (k = 0; k < MAXD + 2; k = k + 1) if (dut.stg[k] !== 8'h00) ok = 1'b0;
      check(ok && dut.stg_q === 8'h00, msg);
    end
  endtask

  // COMMAND: ENG_OP, ADDR, ELEN, n octets in oct[]; returns the response's payload in rpay
  reg [7:0] oct [0:63];
  task cmd_send(input [7:0] seq, input [7:0] eop, input integer a, input integer elen, input integer n);
    integer k;
    begin
      pay[0] = eop; pay[1] = a[15:8]; pay[2] = a[7:0]; pay[3] = elen[15:8]; pay[4] = elen[7:0];
      for (k = 0; k < n; k = k + 1) pay[5 + k] = oct[k];
      req(seq, 8'h03, 5 + n);
    end
  endtask
  task cmd(input [7:0] eop, input integer a, input integer elen, input integer n, input [2:0] est,
           input [8*96-1:0] msg);
    begin
      seqn = seqn + 1;
      cmd_send(seqn, eop, a, elen, n);
      expect_resp(seqn, 8'h00, 9, LONG, msg);
      check(rpay[0] === {5'd0, est}, msg);
      if (rpay[0] !== {5'd0, est}) $display("       ENG_STATUS %h, expected %h", rpay[0], est);
    end
  endtask
  task load_keys(input [127:0] enc, input [127:0] int_k);
    integer k;
    begin
      for (k = 0; k < 16; k = k + 1) begin
        oct[k] = enc[127 - 8*k -: 8]; oct[16 + k] = int_k[127 - 8*k -: 8];
      end
      cmd(8'd0, 0, 0, 32, 3'd0, "COMMAND LOAD_KEYS: OK, ENG_STATUS OK");
      stg_zero("no key octet left in the staging buffer after LOAD_KEYS");
    end
  endtask
  task hdr_oct(input [31:0] cnt, input [4:0] bearer, input dir);
    begin
      oct[0] = cnt[31:24]; oct[1] = cnt[23:16]; oct[2] = cnt[15:8]; oct[3] = cnt[7:0];
      oct[4] = {bearer, dir, 2'b00};
    end
  endtask

  // ---------------- vectors
  reg [7:0] nea [0:`NEA2_VEC_LEN-1];
  reg [7:0] nia [0:`NIA2_VEC_LEN-1];
  reg [127:0] key;
  reg [31:0]  cntv;
  reg [4:0]   bearer;
  reg         dir;
  integer     bits, n, p, v, i, j, w0, c0, a, m, nv;
  reg         ok;
  reg [31:0]  mac;
  task rec(input which, inout integer pp);
    integer k;
    reg [7:0] h [0:23];
    begin
      for (k = 0; k < 24; k = k + 1) h[k] = which ? nea[pp + k] : nia[pp + k];
      for (k = 0; k < 16; k = k + 1) key[127 - 8*k -: 8] = h[k];
      cntv = {h[16], h[17], h[18], h[19]}; bearer = h[20][4:0]; dir = h[21][0];
      bits = {h[22], h[23]}; n = (bits + 7) / 8; pp = pp + 24;
    end
  endtask
  // write n octets of src (0 NIA2, 1 NEA2) from index s to the frame buffer at a, in WRITE frames
  task put_region(input which, input integer s, input integer a0, input integer nn);
    integer d, k, mm;
    begin
      d = 0;
      while (d < nn) begin
        mm = (nn - d > MAXD) ? MAXD : nn - d;
        for (k = 0; k < mm; k = k + 1) pay[2 + k] = which ? nea[s + d + k] : nia[s + d + k];
        wr_fb(a0 + d, mm);
        d = d + mm;
      end
    end
  endtask

  // the checks after a rejected frame: nothing written, no command
  task unchanged(input integer w, input integer c, input [8*96-1:0] msg);
    begin
      check(fbw == w && cmds == c, msg);
      fb_all("frame buffer unchanged after a rejected frame");
      stg_zero("staging buffer cleared after the response");
    end
  endtask

  reg [15:0] c29;
  initial begin
    // the CRC definition on its check value
    c16 = 16'hffff;
    crc_add("1"); crc_add("2"); crc_add("3"); crc_add("4"); crc_add("5");
    crc_add("6"); crc_add("7"); crc_add("8"); crc_add("9");
    c29 = c16;
    check(c29 === 16'h29b1, "testbench CRC-16/CCITT-FALSE of \"123456789\" is 0x29B1");
    $readmemh(`NEA2_VEC_FILE, nea, 0, `NEA2_VEC_LEN - 1);
    $readmemh(`NIA2_VEC_FILE, nia, 0, `NIA2_VEC_LEN - 1);
    bad_crc = 16'h0000; seqn = 8'h10;
    for (i = 0; i < NFB; i = i + 1) fbm[i] = 8'hxx;
    repeat (5) @(posedge clk);
    rst_n = 1'b1;
    repeat (2) @(posedge clk);
    check(dut.state_q === 5'd11, "after reset: the staging buffer is being cleared");
    repeat (MAXD + 60) @(posedge clk);
    check(dut.state_q === 5'd0 && led_busy === 1'b0 && led_err === 1'b0, "idle after the clear");
    stg_zero("staging buffer zero after reset");
    check(txl === 1'b1 && rn == 0, "no response after reset, uart_tx idle");

    // ---------------- PING
    req(8'h3c, 8'h00, 0);
    expect_resp(8'h3c, 8'h00, 8, RT, "PING: OK, 8 octets, SEQ echoed");
    check(rpay[0] === "A" && rpay[1] === "I" && rpay[2] === "O" && rpay[3] === "T" &&
          rpay[4] === 8'h01 && rpay[5] === 8'd12 && {rpay[6], rpay[7]} === MAXD,
          "PING payload: AIOT, VERSION 1, ADDR_W 12, MAX_DATA");

    // garbage before SYNC (no A5 in it), then PING
    put(8'h00); put(8'hff); put(8'h5a); put(8'h13); put(8'ha4);
    req(8'h3d, 8'h00, 0);
    expect_resp(8'h3d, 8'h00, 8, RT, "PING after garbage octets: OK");

    // ---------------- WRITE / READ round trips (0 .. 4095, edges of the buffer)
    for (i = 0; i < NFB; i = i + 1) fbm[i] = dut.fb[i];   // whatever the buffer starts with
    for (i = 0; i < MAXD; i = i + 1) pay[2 + i] = (i * 37 + 11) & 8'hff;
    wr_fb(12'h123, MAXD);
    rd_fb(12'h123, MAXD);
    ok = 1'b1; for (i = 0; i < MAXD; i = i + 1) if (rpay[i] !== ((i * 37 + 11) & 8'hff)) ok = 1'b0;
    check(ok, "WRITE then READ of MAX_DATA octets: the same data");
    pay[2] = 8'hc3; wr_fb(0, 1);
    pay[2] = 8'h3c; pay[3] = 8'h96; wr_fb(NFB - 2, 2);
    fb_same(NFB - 2, 2, "WRITE / READ of the last two octets");
    fb_same(0, 1, "WRITE / READ of octet 0");
    fb_all("frame buffer holds exactly what was written");

    // ---------------- rejected frames: nothing written, no command
    w0 = fbw; c0 = cmds;
    // bad CRC: a WRITE and a COMMAND
    pay[0] = 8'h01; pay[1] = 8'h23; pay[2] = 8'hee; pay[3] = 8'hdd;
    bad_crc = 16'h0100; req(8'h41, 8'h01, 4); bad_crc = 16'h0000;
    expect_resp(8'h41, 8'h01, 0, RT, "WRITE with a bad CRC: ERR_CRC");
    unchanged(w0, c0, "bad CRC: no frame-buffer write");
    hdr_oct(32'h0, 5'd0, 1'b0);
    bad_crc = 16'h0001;
    seqn = seqn + 1; cmd_send(8'h42, 8'd2, 0, 64, 5); bad_crc = 16'h0000;
    expect_resp(8'h42, 8'h01, 0, RT, "COMMAND with a bad CRC: ERR_CRC");
    unchanged(w0, c0, "COMMAND with a bad CRC: no command started");
    // unknown OP
    req(8'h43, 8'h05, 0);
    expect_resp(8'h43, 8'h03, 0, RT, "OP 0x05: ERR_OP");
    pay[0] = 8'h00; pay[1] = 8'h10; pay[2] = 8'h55;
    req(8'h44, 8'hff, 3);
    expect_resp(8'h44, 8'h03, 0, RT, "OP 0xFF with a payload: ERR_OP");
    unchanged(w0, c0, "unknown OP: nothing written");
    // oversized LEN: answered right after the LEN field, before any payload
    send_hdr(8'h45, 8'h01, MAXD + 3);
    expect_resp(8'h45, 8'h02, 0, RT, "LEN = MAX_DATA + 3: ERR_LEN at once");
    send_hdr(8'h46, 8'h01, 16'hffff);
    expect_resp(8'h46, 8'h02, 0, RT, "LEN = 0xFFFF: ERR_LEN at once");
    // the payload of such a frame arriving later (no A5 in it) is skipped
    for (i = 0; i < 8; i = i + 1) put(i[7:0]);
    expect_none(20 * CPB * 10, "payload after ERR_LEN skipped without a response");
    // wrong LEN for OP
    pay[0] = 8'h00; pay[1] = 8'h00; pay[2] = 8'h00;
    req(8'h47, 8'h02, 3);
    expect_resp(8'h47, 8'h02, 0, RT, "READ with LEN 3: ERR_LEN");
    req(8'h48, 8'h00, 1);
    expect_resp(8'h48, 8'h02, 0, RT, "PING with LEN 1: ERR_LEN");
    pay[0] = 8'h00; pay[1] = 8'h10;
    req(8'h49, 8'h01, 2);
    expect_resp(8'h49, 8'h02, 0, RT, "WRITE without data: ERR_LEN");
    req(8'h4a, 8'h03, 4);
    expect_resp(8'h4a, 8'h02, 0, RT, "COMMAND with LEN 4: ERR_LEN");
    req(8'h4b, 8'h04, 2);
    expect_resp(8'h4b, 8'h02, 0, RT, "RESET with LEN 2: ERR_LEN");
    unchanged(w0, c0, "wrong LEN: nothing written, no command");
    // range
    pay[0] = 8'h0f; pay[1] = 8'hff; pay[2] = 8'h11; pay[3] = 8'h22;
    req(8'h4c, 8'h01, 4);
    expect_resp(8'h4c, 8'h07, 0, RT, "WRITE of 2 octets at 0xFFF: ERR_RANGE");
    pay[0] = 8'h10; pay[1] = 8'h00; pay[2] = 8'h11;
    req(8'h4d, 8'h01, 3);
    expect_resp(8'h4d, 8'h07, 0, RT, "WRITE at 0x1000: ERR_RANGE");
    pay[0] = 8'h00; pay[1] = 8'h00; pay[2] = 8'h00; pay[3] = 8'h00;
    req(8'h4e, 8'h02, 4);
    expect_resp(8'h4e, 8'h07, 0, RT, "READ of COUNT 0: ERR_RANGE");
    pay[3] = MAXD + 1;
    req(8'h4f, 8'h02, 4);
    expect_resp(8'h4f, 8'h07, 0, RT, "READ of COUNT MAX_DATA + 1: ERR_RANGE");
    pay[0] = 8'h0f; pay[1] = 8'hf0; pay[2] = 8'h00; pay[3] = 8'h11;
    req(8'h50, 8'h02, 4);
    expect_resp(8'h50, 8'h07, 0, RT, "READ of 17 octets at 0xFF0: ERR_RANGE");
    cmd_send(8'h51, 8'd8, 0, 0, 0);
    expect_resp(8'h51, 8'h07, 0, RT, "COMMAND ENG_OP 8: ERR_RANGE");
    cmd_send(8'h52, 8'd3, 16'h1000, 8, 0);
    expect_resp(8'h52, 8'h07, 0, RT, "COMMAND ADDR 0x1000: ERR_RANGE");
    unchanged(w0, c0, "out of range: nothing written, no command");
    // a frame cut short: ERR_TIMEOUT (SEQ echoed; 00 when cut before SEQ)
    send_hdr(8'h53, 8'h01, 16'd5); put(8'h00); put(8'h10);
    expect_resp(8'h53, 8'h05, 0, TMO + RT, "WRITE cut after 2 payload octets: ERR_TIMEOUT");
    put(8'ha5);
    expect_resp(8'h00, 8'h05, 0, TMO + RT, "frame cut after SYNC: ERR_TIMEOUT, SEQ 00");
    unchanged(w0, c0, "truncated frame: nothing written");
    // framing error inside a frame
    send_hdr(8'h54, 8'h01, 16'd3); put(8'h00); put_bad_stop(8'h10);
    expect_resp(8'h54, 8'h06, 0, RT, "stop bit 0 inside a frame: ERR_FRAMING");
    check(led_err === 1'b1, "error LED on after an error response");
    // a framing error outside a frame is skipped
    put_bad_stop(8'h33);
    expect_none(20 * CPB * 10, "framing error outside a frame: no response");
    unchanged(w0, c0, "framing error: nothing written");
    // the bridge recovers: PING
    req(8'h55, 8'h00, 0);
    expect_resp(8'h55, 8'h00, 8, RT, "PING after the errors: OK");
    check(led_err === 1'b0, "error LED off after an OK response");

    // a frame split over pauses shorter than the timeout
    c16 = 16'hffff;
    put(8'ha5); #(TCLK * (TMO - 20 * CPB)); put(8'h56); crc_add(8'h56);
    #(TCLK * (TMO - 20 * CPB)); put(8'h00); crc_add(8'h00);
    put(8'h00); crc_add(8'h00); #(TCLK * (TMO - 20 * CPB)); put(8'h00); crc_add(8'h00);
    #(TCLK * (TMO - 20 * CPB)); send_crc;
    expect_resp(8'h56, 8'h00, 8, RT, "PING split over pauses near the timeout: OK");

    // ---------------- engine: LOAD_KEYS + NEA2 on the official sets
    p = 2; nv = {nea[0], nea[1]};
    for (v = 0; v < nv; v = v + 1) begin
      rec(1, p);
      load_keys(key, ~key);
      a = (v * 397 + 5) % (NFB - n);
      put_region(1, p, a, n);
      hdr_oct(cntv, bearer, dir);
      c0 = cmds;
      cmd(8'd2, a, bits, 5, 3'd0, "COMMAND NEA2: OK, ENG_STATUS OK");
      j = {rpay[5], rpay[6], rpay[7], rpay[8]};
      check(cmds == c0 + 1, "NEA2: one command handshake");
      // the expected result: the ciphertext (the engine leaves the unused bits of the last octet 0)
      for (i = 0; i < n; i = i + 1) fbm[a + i] = nea[p + n + i];
      fb_same(a, n, "NEA2 ciphertext read back over the wire = official set");
      $display("engine_uart_bridge_tb: NEA2 set %0d (%0d bits) at 0x%h: CYCLES %0d", v, bits, a[11:0], j);
      check(j > 200 && j < 40000, "NEA2: CYCLES in range");
      p = p + 2 * n;
    end
    fb_all("frame buffer = model after the NEA2 sets");

    // ---------------- NIA2 on an official set (MAC in the response)
    p = 2; rec(0, p);
    load_keys(~key, key);
    put_region(0, p, 12'h400, n);
    for (i = 0; i < n; i = i + 1) fbm[12'h400 + i] = nia[p + i];
    hdr_oct(cntv, bearer, dir);
    cmd(8'd3, 12'h400, bits, 5, 3'd0, "COMMAND NIA2: OK");
    mac = {rpay[1], rpay[2], rpay[3], rpay[4]};
    check(mac === {nia[p + n], nia[p + n + 1], nia[p + n + 2], nia[p + n + 3]}, "NIA2 MAC = official set");
    check({rpay[5], rpay[6], rpay[7], rpay[8]} > 32'd200, "CYCLES counts the command");

    // ---------------- while a command runs: PING answered, WRITE / READ / COMMAND ERR_BUSY
    w0 = fbw; c0 = cmds;
    hdr_oct(32'h0, 5'd0, 1'b0);
    cmd_send(8'h60, 8'd3, 0, 32768, 5);                  // NIA2 over the whole buffer
    repeat (40) @(posedge clk);                          // the CRC (8 cycles), the checks
    check(led_busy === 1'b1, "busy LED on while the command runs");
    pay[0] = 8'h00; pay[1] = 8'h00; pay[2] = 8'h77;
    req(8'h61, 8'h01, 3);
    expect_resp(8'h61, 8'h04, 0, RT, "WRITE while a command runs: ERR_BUSY");
    req(8'h62, 8'h00, 0);
    expect_resp(8'h62, 8'h00, 8, RT, "PING while a command runs: OK");
    pay[0] = 8'h00; pay[1] = 8'h00; pay[2] = 8'h00; pay[3] = 8'h04;
    req(8'h63, 8'h02, 4);
    expect_resp(8'h63, 8'h04, 0, RT, "READ while a command runs: ERR_BUSY");
    cmd_send(8'h64, 8'd3, 0, 8, 5);
    expect_resp(8'h64, 8'h04, 0, RT, "COMMAND while a command runs: ERR_BUSY");
    check(fbw == w0 && cmds == c0 + 1, "while busy: no write, no second command");
    expect_resp(8'h60, 8'h00, 9, LONG, "the long NIA2 answers with its own SEQ");
    check(rpay[0] === 8'h00, "long NIA2: ENG_STATUS OK");
    check(led_busy === 1'b0, "busy LED off after the response");
    fb_all("frame buffer unchanged by the refused WRITE");

    // ---------------- ERR_OCTETS: LOAD_KEYS with 10 octets; the engine is zeroized
    for (i = 0; i < 10; i = i + 1) oct[i] = i[7:0];
    cmd_send(8'h65, 8'd0, 0, 0, 10);
    expect_resp(8'h65, 8'h08, 0, LONG, "LOAD_KEYS with 10 octets: ERR_OCTETS");
    hdr_oct(32'h0, 5'd0, 1'b0);
    cmd(8'd3, 0, 64, 5, 3'd4, "NIA2 after ERR_OCTETS: NO_KEYS (engine zeroized)");
    // octets the engine does not take are ignored
    load_keys(key, key);
    for (i = 0; i < 12; i = i + 1) oct[5 + i] = 8'hee;
    hdr_oct(cntv, bearer, dir);
    cmd(8'd3, 12'h400, bits, 17, 3'd0, "NIA2 with 12 extra octets: OK");

    // ---------------- RESET during a command: ERR_ABORTED, then OK; keys gone
    hdr_oct(32'h0, 5'd0, 1'b0);
    c0 = cmds;
    cmd_send(8'h70, 8'd3, 0, 32768, 5);
    repeat (2000) @(posedge clk);
    req(8'h71, 8'h04, 0);
    expect_resp(8'h70, 8'h09, 0, RT, "RESET during a command: the command gets ERR_ABORTED");
    expect_resp(8'h71, 8'h00, 0, RT, "then RESET answers OK");
    check(cmds == c0 + 1, "the aborted command was the only one");
    stg_zero("staging buffer zero after RESET");
    hdr_oct(32'h0, 5'd0, 1'b0);
    cmd(8'd3, 0, 64, 5, 3'd4, "NIA2 after RESET: NO_KEYS (keys zeroized)");
    req(8'h72, 8'h04, 0);
    expect_resp(8'h72, 8'h00, 0, RT, "RESET while idle: OK (one response)");
    expect_none(40 * CPB * 10, "no second response to an idle RESET");
    fb_all("frame buffer = model at the end");

    $display("engine_uart_bridge_tb: %0d passed, %0d failed (%0d cycles)", pass, fail, cyc);
    $finish;
  end

  initial begin
    #(TCLK * 60000000);
    $display("FAIL: engine_uart_bridge_tb watchdog");
    $display("engine_uart_bridge_tb: %0d passed, %0d failed", pass, fail + 1);
    $finish;
  end
endmodule
