// aes128_enc_reset_tb -- aes128_enc started in reset, then streamed through its handshakes.
//   1. rst_n is low from time 0 (a variable initializer, as a testbench that never "asserts"
//      reset writes it) and every input is constant while it is low: from the first clock edge
//      on, every output of both codings (FPGA_STYLE 0 and 1) must be 0/1 (no X/Z), and idle
//      (in_ready = 1, out_valid = 0, out_block = 0);
//   2. after reset, NPASS passes over the known answers (FIPS-197 C.1, SP 800-38A F.5.1 CTR
//      keystream blocks, from hdl/build/aes128_vec.hex written by hdl/aes/tb/tbvec.py) are streamed
//      through the valid/ready handshake with random gaps on the input side and random
//      back-pressure on the output side: each result must match, stay put while stalled, and come
//      216 busy cycles after its block was accepted; both codings must agree in every cycle;
//   3. every output of both instances is checked for X/Z in every cycle from the first edge on.
// A finding of issue 9: with SystemVerilog semantics (iverilog -g2012, where a variable
// initializer causes no event at time 0) the controller of aes128_core was an always @(*) block
// that no input event ever woke, so its next-state values, and with them in_ready, stayed X.
`timescale 1ns/1ps
`include "aes128_vec.vh"
module aes128_enc_reset_tb;
  localparam NV    = `AES128_NVEC;
  localparam NPASS = 3;     // passes over the vectors
  localparam NRST  = 5;     // clock edges in reset
  // the 216th edge after the accepting one raises out_valid (216 busy cycles): sampled before
  // each edge, it is first seen LAT = 217 edges after the accepting edge
  localparam LAT   = 217;

  reg          clk = 1'b0;
  reg          rst_n = 1'b0;          // in reset from time 0
  reg          in_valid = 1'b0;
  reg  [127:0] in_key = 128'd0, in_block = 128'd0;
  reg          out_ready = 1'b0;
  wire         in_ready, out_valid, p_in_ready, p_out_valid;
  wire [127:0] out_block, p_out_block;

  aes128_enc dut (
    .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .in_ready(in_ready),
    .in_key(in_key), .in_block(in_block), .out_valid(out_valid),
    .out_ready(out_ready), .out_block(out_block));
  aes128_enc #(.FPGA_STYLE(1)) dutp (
    .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .in_ready(p_in_ready),
    .in_key(in_key), .in_block(in_block), .out_valid(p_out_valid),
    .out_ready(out_ready), .out_block(p_out_block));

  always #5 clk = ~clk;

  integer pass = 0, fail = 0, cyc = 0;
  always @(posedge clk) cyc <= cyc + 1;

  task check(input ok, input [8*56-1:0] what);
    begin
      if (ok) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (cycle %0d)", what, cyc); end
    end
  endtask

  // ---- X/Z and lockstep monitor: every cycle from the first edge on (sampled before each edge)
  integer xbad = 0, lsbad = 0, ncyc = 0;
  reg     started = 1'b0;
  always @(posedge clk) begin
    if (started) begin
      ncyc = ncyc + 1;
      if (^{in_ready, out_valid, out_block, p_in_ready, p_out_valid, p_out_block} === 1'bx) begin
        if (xbad < 5)
          $display("FAIL: X/Z on an output at cycle %0d (rst_n=%b): in_ready %b/%b out_valid %b/%b",
                   cyc, rst_n, in_ready, p_in_ready, out_valid, p_out_valid);
        xbad = xbad + 1;
      end
      if ({p_in_ready, p_out_valid, p_out_block} !== {in_ready, out_valid, out_block}) begin
        if (lsbad < 5) $display("FAIL: FPGA_STYLE=1 outputs differ at cycle %0d", cyc);
        lsbad = lsbad + 1;
      end
    end
    started = 1'b1;
  end

  // ---- scoreboard: expected results and accept times, in order
  reg [383:0] vec [0:NV-1];
  reg [127:0] exp_q [0:63];
  integer     acc_q [0:63];
  integer     wr = 0, rd = 0, latbad = 0, i, p, g;
  reg         stall_prev = 1'b0;
  reg [127:0] held;
  always @(posedge clk) if (rst_n) begin
    if (stall_prev) begin
      check(out_valid === 1'b1, "out_valid dropped while stalled");
      check(out_block === held, "out_block changed while stalled");
    end
    // a new result (not one still stalled from the cycle before): its latency
    if (out_valid === 1'b1 && !stall_prev && rd < wr && cyc - acc_q[rd % 64] != LAT) begin
      if (latbad < 5) $display("FAIL: result %0d after %0d cycles, expected %0d", rd, cyc - acc_q[rd % 64], LAT);
      latbad = latbad + 1;
    end
    stall_prev = (out_valid === 1'b1) & (out_ready !== 1'b1);
    held = out_block;
    if (out_valid === 1'b1 && out_ready === 1'b1) begin
      if (rd >= wr) check(1'b0, "unexpected output");
      else begin
        check(out_block === exp_q[rd % 64], "known answer");
        if (out_block !== exp_q[rd % 64])
          $display("       got %h exp %h", out_block, exp_q[rd % 64]);
        rd = rd + 1;
      end
    end
  end

  initial begin
    $readmemh(`AES128_VEC_FILE, vec);
    // ---- 1: in reset from time 0, inputs constant
    repeat (NRST) begin
      @(negedge clk);
      check(^{in_ready, out_valid, out_block, p_in_ready, p_out_valid, p_out_block} !== 1'bx,
            "outputs 0/1 in reset");
      check(in_ready === 1'b1 && out_valid === 1'b0 && out_block === 128'd0 &&
            p_in_ready === 1'b1 && p_out_valid === 1'b0 && p_out_block === 128'd0,
            "idle in reset (in_ready 1, out_valid 0, out_block 0)");
    end
    @(negedge clk) rst_n = 1'b1;

    // ---- 2: stream the known answers with random gaps and back-pressure
    fork
      begin
        for (p = 0; p < NPASS; p = p + 1)
          for (i = 0; i < NV; i = i + 1) begin
            g = {$random} % 6;
            while (g > 0) begin     // a gap: in_valid low, inputs scrambled
              @(negedge clk) begin
                in_valid = 1'b0; in_key = {4{$random}}; in_block = {4{$random}};
              end
              g = g - 1;
            end
            @(negedge clk) begin
              in_valid = 1'b1; in_key = vec[i][383:256]; in_block = vec[i][255:128];
            end
            exp_q[wr % 64] = vec[i][127:0];
            @(posedge clk);
            while (in_ready !== 1'b1) @(posedge clk);
            acc_q[wr % 64] = cyc;   // the accepting edge (cyc still has its pre-edge value)
            wr = wr + 1;
          end
        @(negedge clk) begin in_valid = 1'b0; in_key = ~in_key; in_block = {4{$random}}; end
      end
      begin
        while (rd < NPASS * NV) begin
          @(negedge clk);
          if (({$random} % 16) == 0) begin   // an occasional long stall
            out_ready = 1'b0;
            repeat ({$random} % 300) @(negedge clk);
          end
          out_ready = ($random % 2) != 0;    // else low about half the cycles
        end
      end
    join
    @(negedge clk);
    check(rd == NPASS * NV && wr == NPASS * NV, "every block accepted and returned");
    check(latbad == 0, "latency of every block");
    check(xbad == 0, "no X/Z on any output in any cycle");
    check(lsbad == 0, "FPGA_STYLE=1 outputs match in every cycle");
    $display("aes128_enc_reset_tb: %0d blocks, %0d cycles checked for X/Z", rd, ncyc);
    $display("aes128_enc_reset_tb: %0d passed, %0d failed", pass, fail);
    if (fail != 0) $fatal(1, "aes128_enc_reset_tb FAILED");
    $finish;
  end

  initial begin
    #2000000;
    $display("FAIL: aes128_enc_reset_tb timeout (outputs X: %0d cycles, %0d of %0d blocks out)",
             xbad, rd, NPASS * NV);
    $display("aes128_enc_reset_tb: %0d passed, %0d failed", pass, fail + 1);
    $fatal(1, "timeout");
  end
endmodule
