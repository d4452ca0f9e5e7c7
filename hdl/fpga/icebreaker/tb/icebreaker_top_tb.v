// icebreaker_top_tb: the board top through its pins (CLKS_PER_BIT 8, a short timeout): no
// reset pin, so the power-on reset counter must bring the design up on its own; then PING
// (answered, LEDs off), a COMMAND ZEROIZE (engine op 1: answered OK), an unknown OP (the red
// LED on, active low), LOAD_KEYS (red LED off) and the busy (green) LED during a NIA2 over the
// 4 KiB frame buffer.
`timescale 1ns/1ps
module icebreaker_top_tb;
  localparam integer CPB = 8;
  localparam real    TCLK = 83.333;    // 12 MHz
  reg  clk = 1'b0, rxl = 1'b1;
  wire txl, ledr_n, ledg_n;
  always #(TCLK / 2) clk = ~clk;
  icebreaker_top #(.CLKS_PER_BIT(CPB), .TIMEOUT_CLKS(4000)) dut (
    .CLK(clk), .RX(rxl), .TX(txl), .LEDR_N(ledr_n), .LEDG_N(ledg_n));

  integer pass = 0, fail = 0;
  task check(input c, input [8*96-1:0] msg);
    begin
      if (c === 1'b1) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (t=%0t)", msg, $time); end
    end
  endtask

  task put(input [7:0] b);
    integer k;
    begin
      rxl = 1'b0; #(CPB * TCLK);
      for (k = 0; k < 8; k = k + 1) begin rxl = b[k]; #(CPB * TCLK); end
      rxl = 1'b1; #(CPB * TCLK);
    end
  endtask
  reg [7:0] rq [0:255];
  integer   rn = 0, k2;
  reg [7:0] rb;
  always begin
    @(negedge txl);
    #(CPB * TCLK / 2);
    if (txl === 1'b0) begin
      for (k2 = 0; k2 < 8; k2 = k2 + 1) begin #(CPB * TCLK); rb[k2] = txl; end
      #(CPB * TCLK);
      rq[rn] = rb; rn = rn + 1;
    end
  end
  reg [15:0] c16;
  task crc_add(input [7:0] b);
    integer k;
    begin
      for (k = 7; k >= 0; k = k - 1)
        c16 = {c16[14:0], 1'b0} ^ ((c16[15] ^ b[k]) ? 16'h1021 : 16'h0000);
    end
  endtask
  reg [7:0] pay [0:63];
  task req(input [7:0] seq, input [7:0] op, input integer n);
    integer k;
    begin
      c16 = 16'hffff; put(8'ha5);
      put(seq); crc_add(seq); put(op); crc_add(op);
      put(8'h00); crc_add(8'h00); put(n[7:0]); crc_add(n[7:0]);
      for (k = 0; k < n; k = k + 1) begin put(pay[k]); crc_add(pay[k]); end
      put(c16[15:8]); put(c16[7:0]);
    end
  endtask
  // wait for a response of n octets starting at rq[at]; check SEQ, STATUS and the CRC
  task resp(input integer at, input integer n, input [7:0] seq, input [7:0] st, input [8*96-1:0] msg);
    integer t, k;
    begin
      t = 0;
      while (rn < at + n && t < 200000) begin @(posedge clk); t = t + 1; end
      c16 = 16'hffff;
      for (k = 1; k < n - 2; k = k + 1) crc_add(rq[at + k]);
      check(rn == at + n && rq[at] === 8'h5a && rq[at + 1] === seq && rq[at + 2] === st &&
            {rq[at + n - 2], rq[at + n - 1]} === c16, msg);
    end
  endtask

  integer i;
  initial begin
    repeat (2) @(posedge clk);
    check(dut.rst_n === 1'b0, "power-on reset held after configuration");
    repeat (20) @(posedge clk);
    check(dut.rst_n === 1'b1, "power-on reset released after 15 clocks");
    repeat (400) @(posedge clk);
    check(ledr_n === 1'b1 && ledg_n === 1'b1 && txl === 1'b1, "LEDs off, TX idle after reset");
    req(8'h01, 8'h00, 0);
    resp(0, 15, 8'h01, 8'h00, "PING through the board pins: OK");
    check(rq[5] === "A" && rq[10] === 8'd12 && {rq[11], rq[12]} === 16'd256,
          "PING payload: ADDR_W 12, MAX_DATA 256");
    pay[0] = 8'h01; pay[1] = 8'h00; pay[2] = 8'h00; pay[3] = 8'h00; pay[4] = 8'h00;
    req(8'h02, 8'h03, 5);
    resp(15, 16, 8'h02, 8'h00, "COMMAND ZEROIZE (engine op 1): OK");
    check(rq[20] === 8'h00, "ZEROIZE: ENG_STATUS OK");
    req(8'h03, 8'h09, 0);
    resp(31, 7, 8'h03, 8'h03, "unknown OP: ERR_OP");
    check(ledr_n === 1'b0, "red LED on after an error response");
    // LOAD_KEYS, then a NIA2 over the 4 KiB buffer: the green LED while it runs
    pay[0] = 8'h00; for (i = 1; i < 5; i = i + 1) pay[i] = 8'h00;
    for (i = 0; i < 32; i = i + 1) pay[5 + i] = i[7:0];
    req(8'h04, 8'h03, 37);
    resp(38, 16, 8'h04, 8'h00, "LOAD_KEYS: OK");
    check(ledr_n === 1'b1, "red LED off after an OK response");
    pay[0] = 8'h03; pay[1] = 8'h00; pay[2] = 8'h00; pay[3] = 8'h80; pay[4] = 8'h00;
    for (i = 0; i < 5; i = i + 1) pay[5 + i] = 8'h00;
    req(8'h05, 8'h03, 10);
    repeat (20) @(posedge clk);
    check(ledg_n === 1'b0, "green LED on while the command runs");
    resp(54, 16, 8'h05, 8'h00, "NIA2 over 4 KiB: OK");
    check(ledg_n === 1'b1, "green LED off after the response");
    $display("icebreaker_top_tb: %0d passed, %0d failed", pass, fail);
    $finish;
  end
endmodule
