// tce_planted_leak_tb: the planted leak of tce_planted_leak (TEST ONLY) does what the leakage
// analysis's positive control needs: after a LOAD_KEYS whose first key octet is K, leak_q changes
// popcount(K) bits in every cycle (idle and busy), zeroize clears it for good, and in every cycle
// every output equals that of a plain tag_crypto_engine driven with the same inputs.
`timescale 1ns/1ps
module tce_planted_leak_tb;
  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg         rst_n = 1'b0, zeroize = 1'b0, cmd_valid = 1'b0, dat_valid = 1'b0, rsp_ready = 1'b0;
  reg  [2:0]  cmd_op = 3'd0;
  reg  [7:0]  dat_data = 8'h00;
  wire [11:0] cmd_addr = 12'd0;
  wire [15:0] cmd_len = 16'd0;
  wire        mem_ack = 1'b0;
  wire [7:0]  mem_rdata = 8'h00;
  wire        l_cmd_ready, l_dat_ready, l_rsp_valid, l_mem_req, l_mem_we, l_mem_own;
  wire [2:0]  l_rsp_status;
  wire [31:0] l_rsp_mac;
  wire [11:0] l_mem_addr;
  wire [7:0]  l_mem_wdata;
  wire        e_cmd_ready, e_dat_ready, e_rsp_valid, e_mem_req, e_mem_we, e_mem_own;
  wire [2:0]  e_rsp_status;
  wire [31:0] e_rsp_mac;
  wire [11:0] e_mem_addr;
  wire [7:0]  e_mem_wdata;
  wire [4:0]  l_ltk_idx, e_ltk_idx;

  tce_planted_leak dut (
    .clk(clk), .rst_n(rst_n), .zeroize(zeroize), .cmd_valid(cmd_valid), .cmd_ready(l_cmd_ready),
    .cmd_op(cmd_op), .cmd_addr(cmd_addr), .cmd_len(cmd_len), .dat_valid(dat_valid),
    .dat_ready(l_dat_ready), .dat_data(dat_data), .rsp_valid(l_rsp_valid), .rsp_ready(rsp_ready),
    .rsp_status(l_rsp_status), .rsp_mac(l_rsp_mac), .mem_req(l_mem_req), .mem_we(l_mem_we),
    .mem_addr(l_mem_addr), .mem_wdata(l_mem_wdata), .mem_ack(mem_ack), .mem_rdata(mem_rdata),
    .mem_own(l_mem_own), .ltk_idx(l_ltk_idx), .ltk_data(8'h5a), .ltk_len32(1'b0));
  tag_crypto_engine ref_eng (
    .clk(clk), .rst_n(rst_n), .zeroize(zeroize), .cmd_valid(cmd_valid), .cmd_ready(e_cmd_ready),
    .cmd_op(cmd_op), .cmd_addr(cmd_addr), .cmd_len(cmd_len), .dat_valid(dat_valid),
    .dat_ready(e_dat_ready), .dat_data(dat_data), .rsp_valid(e_rsp_valid), .rsp_ready(rsp_ready),
    .rsp_status(e_rsp_status), .rsp_mac(e_rsp_mac), .mem_req(e_mem_req), .mem_we(e_mem_we),
    .mem_addr(e_mem_addr), .mem_wdata(e_mem_wdata), .mem_ack(mem_ack), .mem_rdata(mem_rdata),
    .mem_own(e_mem_own), .ltk_idx(e_ltk_idx), .ltk_data(8'h5a), .ltk_len32(1'b0));

  integer passed = 0, failed = 0, i, diffs = 0;
  reg [7:0] prev;
  function integer popc(input [7:0] v);
    integer k;
    begin
      popc = 0;
      for (k = 0; k < 8; k = k + 1) popc = popc + v[k];
    end
  endfunction
  task check(input ok, input [8*48-1:0] what);
    begin
      if (ok) passed = passed + 1;
      else begin failed = failed + 1; $display("FAIL %0s", what); end
    end
  endtask

  // lockstep: every output of the wrapper equals the plain engine's, every cycle
  always @(negedge clk)
    if ({l_cmd_ready, l_dat_ready, l_rsp_valid, l_rsp_status, l_rsp_mac, l_mem_req, l_mem_we,
         l_mem_addr, l_mem_wdata, l_mem_own, l_ltk_idx} !==
        {e_cmd_ready, e_dat_ready, e_rsp_valid, e_rsp_status, e_rsp_mac, e_mem_req, e_mem_we,
         e_mem_addr, e_mem_wdata, e_mem_own, e_ltk_idx})
      diffs = diffs + 1;

  initial begin
    repeat (3) @(posedge clk);
    rst_n <= 1'b1;
    while (!l_cmd_ready) @(posedge clk);
    check(dut.leak_q == 8'h00, "leak_q zero after reset");
    // LOAD_KEYS: 32 octets, the first 8'hA7 (popcount 5)
    cmd_op <= 3'd0; cmd_valid <= 1'b1;
    @(posedge clk);
    while (!l_cmd_ready) @(posedge clk);
    cmd_valid <= 1'b0;
    for (i = 0; i < 32; i = i + 1) begin
      dat_valid <= 1'b1; dat_data <= (i == 0) ? 8'hA7 : i[7:0];
      @(posedge clk);
      while (!l_dat_ready) @(posedge clk);
    end
    dat_valid <= 1'b0;
    rsp_ready <= 1'b1;
    @(posedge clk);
    while (!l_rsp_valid) @(posedge clk);
    rsp_ready <= 1'b0;
    check(l_rsp_status == 3'd0, "LOAD_KEYS status OK");
    check(dut.kcap_q == 8'hA7, "kcap_q holds the first key octet");
    @(posedge clk); #1 prev = dut.leak_q;
    for (i = 0; i < 40; i = i + 1) begin
      @(posedge clk); #1
      check(popc(prev ^ dut.leak_q) == 5, "leak_q toggles popcount(K) bits");
      prev = dut.leak_q;
    end
    zeroize <= 1'b1; @(posedge clk); zeroize <= 1'b0;
    for (i = 0; i < 40; i = i + 1) begin
      @(posedge clk); #1
      check(dut.leak_q == 8'h00 && dut.kcap_q == 8'h00, "leak_q / kcap_q clear after zeroize");
    end
    check(diffs == 0, "outputs equal the plain engine's");
    $display("tce_planted_leak_tb: %0d passed, %0d failed", passed, failed);
    $finish;
  end
endmodule
