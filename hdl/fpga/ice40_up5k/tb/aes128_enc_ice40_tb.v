// aes128_enc_ice40_tb -- self-checking testbench for the iCE40 pin shim aes128_enc_ice40, driven
// only through its pins as a host would: key and block shifted in serially (MSB = FIPS byte 0
// bit 7 first, one bit per clock with `shift`), a one-cycle `start` pulse, wait for `done`, then
// the result is shifted out on `sdo` (MSB first) while the next key/block shifts in.
// Known answers: FIPS-197 C.1 and the SP 800-38A F.5.1 CTR keystream blocks AES_K(ctr_i) =
// plaintext_i ^ ciphertext_i, from hdl/build/aes128_vec.hex (hdl/aes/tb/tbvec.py; nothing typed
// here). Also checked: `ready` high when idle and low while a block is computed, exactly one
// `done` pulse per block, a one-block repeat after reset, and the key / block shift registers zero
// after every reset (one with a key shifted in and not used included); 8 random key / block pairs
// against a reference aes128_enc instance; a start given while busy is held until taken.
`timescale 1ns/1ps
`include "aes128_vec.vh"
module aes128_enc_ice40_tb;
  localparam NV = `AES128_NVEC;

  reg  clk = 1'b0;
  reg  rst_n = 1'b0;
  reg  sdi_key = 1'b0, sdi_blk = 1'b0, shift = 1'b0, start = 1'b0;
  wire sdo, ready, done;

  aes128_enc_ice40 dut (
    .clk(clk), .rst_n(rst_n), .sdi_key(sdi_key), .sdi_blk(sdi_blk), .shift(shift),
    .start(start), .sdo(sdo), .ready(ready), .done(done));

  // reference for random key / block pairs: the bare aes128_enc (default coding), itself checked
  // against the known answers by aes128_enc_tb
  reg          r_valid = 1'b0;
  reg  [127:0] r_key = 128'd0, r_blk = 128'd0;
  wire         r_ready, r_ovalid;
  wire [127:0] r_out;
  aes128_enc ref_core (
    .clk(clk), .rst_n(rst_n), .in_valid(r_valid), .in_ready(r_ready), .in_key(r_key),
    .in_block(r_blk), .out_valid(r_ovalid), .out_ready(1'b1), .out_block(r_out));
  task ref_enc(input [127:0] k, input [127:0] blk, output [127:0] res);
    integer w;
    begin
      @(negedge clk);
      r_key = k; r_blk = blk; r_valid = 1'b1;
      @(posedge clk); while (!r_ready) @(posedge clk);
      #1 r_valid = 1'b0;
      w = 0;
      while (r_ovalid !== 1'b1 && w < 2000) begin @(posedge clk); #1 w = w + 1; end
      res = r_out;
    end
  endtask

  always #5 clk = ~clk;

  integer pass = 0, fail = 0, cyc = 0, ndone = 0;
  always @(posedge clk) begin
    cyc <= cyc + 1;
    if (done) ndone <= ndone + 1;
  end

  task check(input ok, input [8*48-1:0] what);
    begin
      if (ok) pass = pass + 1;
      else begin fail = fail + 1; $display("FAIL: %0s (cycle %0d)", what, cyc); end
    end
  endtask

  reg [383:0] vec [0:NV-1];
  reg [127:0] got, rk, rblk, rexp, rk_n, rblk_n;
  integer i, b, t0, lat, maxlat, d0, busy_seen, seed, ok;

  // 128 shift clocks: key/block bits in (MSB first), result bits out of sdo (sampled before each
  // shifting edge). Inputs change on the falling edge.
  task shift128(input [127:0] k, input [127:0] blk, output [127:0] res);
    begin
      for (b = 127; b >= 0; b = b - 1) begin
        @(negedge clk);
        shift = 1'b1; sdi_key = k[b]; sdi_blk = blk[b];
        res[b] = sdo;
        @(posedge clk);
      end
      @(negedge clk);
      shift = 1'b0; sdi_key = 1'b0; sdi_blk = 1'b0;
    end
  endtask

  // one start pulse; wait for done (returns with the result captured in the shim)
  task run_block;
    begin
      @(negedge clk);
      check(ready === 1'b1 && done === 1'b0, "idle before start (ready high, done low)");
      start = 1'b1; t0 = cyc; d0 = ndone; busy_seen = 0;
      @(negedge clk);
      start = 1'b0;
      while (done !== 1'b1) begin
        @(negedge clk);
        if (ready === 1'b0) busy_seen = 1;
        if (cyc - t0 > 2000) begin check(1'b0, "done within 2000 cycles"); disable run_block; end
      end
      lat = cyc - t0;
      if (lat > maxlat) maxlat = lat;
      @(negedge clk);
      check(done === 1'b0 && ndone == d0 + 1, "exactly one done pulse per block");
      check(busy_seen == 1, "ready low while the block is computed");
    end
  endtask

  initial begin
    $readmemh(`AES128_VEC_FILE, vec);
    maxlat = 0;
    repeat (3) @(posedge clk);
    @(negedge clk) rst_n = 1'b1;
    check(sdo === 1'b0 && done === 1'b0, "outputs clear after reset");
    check(dut.key_sr === 128'd0 && dut.blk_sr === 128'd0, "reset clears the key and block registers");

    // first key/block in; then per vector: run, shift the result out while the next one shifts in
    shift128(vec[0][383:256], vec[0][255:128], got);
    for (i = 0; i < NV; i = i + 1) begin
      run_block;
      if (i + 1 < NV) shift128(vec[i+1][383:256], vec[i+1][255:128], got);
      else            shift128(128'd0, 128'd0, got);
      check(got === vec[i][127:0], "ciphertext shifted out on sdo");
      if (got !== vec[i][127:0]) $display("       vector %0d: got %h exp %h", i, got, vec[i][127:0]);
    end

    // reset in between, then FIPS-197 C.1 again from a clean shim
    @(negedge clk) rst_n = 1'b0;
    @(negedge clk) rst_n = 1'b1;
    check(sdo === 1'b0 && ready === 1'b1 && done === 1'b0, "idle after reset");
    shift128(vec[0][383:256], vec[0][255:128], got);
    run_block;
    shift128(128'd0, 128'd0, got);
    check(got === vec[0][127:0], "FIPS-197 C.1 after reset");

    // reset with a key and a block shifted in (not started): no key bit survives it
    shift128(vec[1][383:256], vec[1][255:128], got);
    check(dut.key_sr === vec[1][383:256], "key shifted in before the reset");
    @(negedge clk) rst_n = 1'b0;
    @(negedge clk) rst_n = 1'b1;
    check(dut.key_sr === 128'd0 && dut.blk_sr === 128'd0, "reset clears a key shifted in and not used");

    // random key / block pairs (every key and block bit 0 and 1 somewhere) against the reference
    seed = 32'h41455331;
    rk = {$random(seed), $random(seed), $random(seed), $random(seed)};
    rblk = {$random(seed), $random(seed), $random(seed), $random(seed)};
    shift128(rk, rblk, got);
    ok = 1;
    for (i = 0; i < 8; i = i + 1) begin
      run_block;
      ref_enc(rk, rblk, rexp);
      rk_n = {$random(seed), $random(seed), $random(seed), $random(seed)};
      rblk_n = {$random(seed), $random(seed), $random(seed), $random(seed)};
      shift128(rk_n, rblk_n, got);
      if (got !== rexp) begin
        ok = 0; $display("       random pair %0d: got %h exp %h", i, got, rexp);
      end
      rk = rk_n; rblk = rblk_n;
    end
    check(ok, "random key / block pairs = reference aes128_enc");

    // a start while a block is computed is held until the core takes it: two done pulses, the
    // same block encrypted again (the result register is loaded as the second block starts)
    @(negedge clk);
    start = 1'b1; d0 = ndone; t0 = cyc;
    @(negedge clk); start = 1'b0;
    repeat (20) @(negedge clk);
    check(ready === 1'b0, "block in progress");
    start = 1'b1;
    @(negedge clk); start = 1'b0;
    while (ndone < d0 + 2 && cyc - t0 < 2000) @(negedge clk);
    repeat (3) @(negedge clk);
    check(ndone == d0 + 2 && ready === 1'b1, "a start while busy is held: two blocks, two done pulses");
    ref_enc(rk, rblk, rexp);
    shift128(128'd0, 128'd0, got);
    check(got === rexp, "the held start encrypts the block again");

    $display("aes128_enc_ice40_tb: %0d vectors, start to done at most %0d cycles", NV, maxlat);
    $display("aes128_enc_ice40_tb: %0d passed, %0d failed", pass, fail);
    if (fail != 0) $fatal(1, "aes128_enc_ice40_tb FAILED");
    $finish;
  end

  initial begin
    #2000000;
    $display("FAIL: aes128_enc_ice40_tb timeout");
    $fatal(1, "timeout");
  end
endmodule
