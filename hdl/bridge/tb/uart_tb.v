// uart_tb: uart_rx, uart_tx and crc16_ccitt alone (CLKS_PER_BIT = 16).
//   uart_rx: octets at the exact rate, back to back (no idle between stop and start bit); mid-bit
//   sampling (each data / stop bit valid only from 30 % to 70 % of its time, its complement
//   elsewhere); a
//   start-bit glitch shorter than half a bit is ignored; a stop bit 0 gives one ferr pulse and no
//   octet, a break (line low for 3 octet times) one ferr pulse, and the next octet is received;
//   a sender 3 % slow and 3 % fast, back to back; overrun (an octet not taken) gives ferr and keeps
//   the held octet; out_data is 0 after the handshake.
//   uart_tx: every bit exactly CLKS_PER_BIT clocks (start 0, LSB first, stop 1), in_valid held
//   under back-pressure (in_ready low while sending) sends each octet once, back to back; tx idle 1.
//   crc16_ccitt: CRC-16/CCITT-FALSE of "123456789" = 0x29B1, and a frame with its CRC appended
//   leaves 0.
`timescale 1ns/1ps
module uart_tb;
  localparam integer CPB = 16;
  localparam real    TCLK = 10.0;
  reg clk = 1'b0, rst_n = 1'b0;
  always #(TCLK / 2) clk = ~clk;

  integer pass = 0, fail = 0;
  task check(input c, input [8*96-1:0] msg);
    begin
      if (c === 1'b1) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (t=%0t)", msg, $time); end
    end
  endtask

  // ---------------- receiver under test
  reg        rxl = 1'b1;
  reg        rdy = 1'b1;
  wire       rv, rferr;
  wire [7:0] rd;
  uart_rx #(.CLKS_PER_BIT(CPB)) u_rx (.clk(clk), .rst_n(rst_n), .rx(rxl), .out_valid(rv),
    .out_ready(rdy), .out_data(rd), .ferr(rferr));
  reg [7:0] got [0:255];
  integer   ng = 0, nferr = 0;
  reg       zero_after = 1'b1;
  reg       hs_q = 1'b0;
  always @(posedge clk) begin
    if (hs_q && rd !== 8'h00) zero_after = 1'b0;
    hs_q <= rv && rdy;
    if (rv && rdy) begin got[ng] = rd; ng = ng + 1; end
    if (rferr) nferr = nferr + 1;
  end

  real bit_ns;
  // one 8N1 octet; stop = the stop bit's level
  task put(input [7:0] b, input stop);
    integer k;
    begin
      rxl = 1'b0; #(bit_ns);
      for (k = 0; k < 8; k = k + 1) begin rxl = b[k]; #(bit_ns); end
      rxl = stop; #(bit_ns);
    end
  endtask
  // each bit valid only in [30 %, 70 %] of its time, its complement elsewhere
  task put_narrow(input [7:0] b);
    integer k;
    reg [9:0] f;
    begin
      f = {1'b1, b, 1'b0};
      rxl = 1'b0; #(bit_ns);               // the start bit's edge is the reference
      for (k = 1; k < 10; k = k + 1) begin
        rxl = ~f[k]; #(bit_ns * 0.3);
        rxl = f[k];  #(bit_ns * 0.4);
        rxl = (k == 9) ? 1'b1 : ~f[k]; #(bit_ns * 0.3);
      end
      rxl = 1'b1;
    end
  endtask

  // ---------------- transmitter under test
  reg        tv = 1'b0;
  reg  [7:0] td = 8'h00;
  wire       tr, txl;
  uart_tx #(.CLKS_PER_BIT(CPB)) u_tx (.clk(clk), .rst_n(rst_n), .in_valid(tv), .in_ready(tr),
    .in_data(td), .tx(txl));
  // decode tx by counting clocks: every level must last a multiple of CPB clocks
  reg [7:0] tgot [0:255];
  integer   ntg = 0, tbad = 0;
  integer   k3;
  reg [7:0] tb8;
  always begin
    @(negedge txl);
    @(posedge clk);
    // sample in the middle of each bit, check the level is stable across the bit
    repeat (CPB / 2 - 1) @(posedge clk);
    if (txl !== 1'b0) tbad = tbad + 1;
    for (k3 = 0; k3 < 8; k3 = k3 + 1) begin
      repeat (CPB) @(posedge clk);
      tb8[k3] = txl;
    end
    repeat (CPB) @(posedge clk);
    if (txl !== 1'b1) tbad = tbad + 1;
    tgot[ntg] = tb8; ntg = ntg + 1;
  end
  // tx bit length: clocks between level changes are multiples of CPB
  integer run = 0, runbad = 0;
  reg     txp = 1'b1;
  always @(posedge clk) begin
    if (rst_n) begin
      if (txl !== txp) begin
        if (txp == 1'b0 && run % CPB != 0) runbad = runbad + 1;   // low runs: whole bits
        run = 1;
      end else run = run + 1;
      txp = txl;
    end
  end

  // ---------------- CRC
  reg        ci = 1'b0, cv = 1'b0;
  reg  [7:0] cd = 8'h00;
  wire       cb;
  wire [15:0] cc;
  crc16_ccitt u_crc (.clk(clk), .rst_n(rst_n), .init(ci), .in_valid(cv), .in_data(cd), .busy(cb), .crc(cc));
  task crc_oct(input [7:0] b);
    begin
      @(negedge clk); cv = 1'b1; cd = b;
      @(negedge clk); cv = 1'b0; cd = 8'h00;
      while (cb) @(negedge clk);
    end
  endtask

  integer i, n0, f0;
  reg [8*9-1:0] s9;
  reg [15:0] c29;
  initial begin
    bit_ns = CPB * TCLK;
    repeat (4) @(posedge clk);
    rst_n = 1'b1;
    repeat (4) @(posedge clk);
    check(txl === 1'b1 && tr === 1'b1 && rv === 1'b0, "after reset: tx idle 1, ready, no octet");

    // ---------------- receiver
    for (i = 0; i < 16; i = i + 1) put((i * 71 + 3) & 8'hff, 1'b1);   // back to back
    repeat (2 * CPB) @(posedge clk);
    check(ng == 16 && nferr == 0, "16 octets back to back: all received, no error");
    n0 = 0; for (i = 0; i < 16; i = i + 1) if (got[i] !== ((i * 71 + 3) & 8'hff)) n0 = n0 + 1;
    check(n0 == 0, "back-to-back octets: the data");
    check(zero_after, "out_data 0 after each handshake");
    // mid-bit sampling
    ng = 0;
    put_narrow(8'ha5); put_narrow(8'h3c); put_narrow(8'h00); put_narrow(8'hff);
    repeat (2 * CPB) @(posedge clk);
    check(ng == 4 && got[0] === 8'ha5 && got[1] === 8'h3c && got[2] === 8'h00 && got[3] === 8'hff &&
          nferr == 0, "bits valid only in the middle 40 % of their time: sampled right");
    // start-bit glitch
    ng = 0;
    rxl = 1'b0; #(bit_ns * 0.3); rxl = 1'b1; #(bit_ns * 12);
    check(ng == 0 && nferr == 0, "a low glitch of 0.3 bit: no octet, no error");
    put(8'h5a, 1'b1); repeat (2 * CPB) @(posedge clk);
    check(ng == 1 && got[0] === 8'h5a, "octet after the glitch received");
    // framing error, break
    ng = 0; f0 = nferr;
    put(8'h81, 1'b0); rxl = 1'b1; #(bit_ns * 2);
    check(ng == 0 && nferr == f0 + 1, "stop bit 0: one ferr pulse, no octet");
    rxl = 1'b0; #(bit_ns * 30); rxl = 1'b1; #(bit_ns * 2);
    check(ng == 0 && nferr == f0 + 2, "a break of 30 bits: one ferr pulse, no octet");
    put(8'h42, 1'b1); repeat (2 * CPB) @(posedge clk);
    check(ng == 1 && got[0] === 8'h42 && nferr == f0 + 2, "octet after the break received");
    // +-3 % rate, back to back
    ng = 0; f0 = nferr;
    bit_ns = CPB * TCLK * 0.97;
    for (i = 0; i < 10; i = i + 1) put((i * 29 + 1) & 8'hff, 1'b1);
    bit_ns = CPB * TCLK * 1.03;
    for (i = 10; i < 20; i = i + 1) put((i * 29 + 1) & 8'hff, 1'b1);
    bit_ns = CPB * TCLK;
    repeat (2 * CPB) @(posedge clk);
    n0 = 0; for (i = 0; i < 20; i = i + 1) if (got[i] !== ((i * 29 + 1) & 8'hff)) n0 = n0 + 1;
    check(ng == 20 && n0 == 0 && nferr == f0, "sender 3 % fast and 3 % slow, back to back: every octet");
    // overrun
    ng = 0; f0 = nferr; rdy = 1'b0;
    put(8'h11, 1'b1); put(8'h22, 1'b1);
    repeat (2 * CPB) @(posedge clk);
    check(rv === 1'b1 && rd === 8'h11 && nferr == f0 + 1, "overrun: ferr, the first octet held");
    rdy = 1'b1; @(posedge clk); @(posedge clk);
    check(ng == 1 && got[0] === 8'h11 && rv === 1'b0 && rd === 8'h00, "held octet taken, out_data 0 after");

    // ---------------- transmitter: in_valid held through back-pressure
    for (i = 0; i < 12; i = i + 1) begin
      @(negedge clk); tv = 1'b1; td = (i * 53 + 7) & 8'hff;
      @(posedge clk); while (!tr) @(posedge clk);      // held until the handshake
      @(negedge clk); tv = 1'b0;
    end
    repeat (12 * CPB) @(posedge clk);
    n0 = 0; for (i = 0; i < 12; i = i + 1) if (tgot[i] !== ((i * 53 + 7) & 8'hff)) n0 = n0 + 1;
    check(ntg == 12 && n0 == 0 && tbad == 0, "12 octets sent once each: start 0, data LSB first, stop 1");
    check(runbad == 0, "every low tx level lasts a multiple of CLKS_PER_BIT clocks");
    check(txl === 1'b1 && tr === 1'b1, "tx idle 1 after the octets");
    // the two octets handed over back to back leave with no idle between them
    @(negedge clk); tv = 1'b1; td = 8'hff;
    @(posedge clk); @(negedge clk); td = 8'h00;     // taken at the first edge; next waits
    i = 0;
    while (!tr) begin @(negedge clk); i = i + 1; end
    tv = 1'b0;
    check(i == 10 * CPB, "in_ready back 10 bit times (10 * CLKS_PER_BIT clocks) after the handshake");
    if (i != 10 * CPB) $display("       in_ready after %0d clocks", i);

    // ---------------- CRC
    @(negedge clk); ci = 1'b1; @(negedge clk); ci = 1'b0;
    s9 = "123456789";
    for (i = 8; i >= 0; i = i - 1) crc_oct(s9[8*i +: 8]);
    c29 = cc;
    check(c29 === 16'h29b1, "crc16_ccitt(\"123456789\") = 0x29B1");
    crc_oct(c29[15:8]); crc_oct(c29[7:0]);
    check(cc === 16'h0000, "the CRC appended, most significant octet first: residue 0");
    @(negedge clk); ci = 1'b1; @(negedge clk); ci = 1'b0;
    check(cc === 16'hffff, "init: 0xFFFF");

    repeat (20 * CPB) @(posedge clk);
    $display("uart_tb: %0d passed, %0d failed", pass, fail);
    $finish;
  end
endmodule
