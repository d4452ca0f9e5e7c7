// aes128_enc_ice40 -- pin shim so aes128_enc can be placed on an iCE40 UP5K
// (sg48 package).  Key and block are shifted in serially (one bit each per
// clock while `shift` is high, MSB = FIPS byte 0 bit 7 first); `start` raises
// in_valid until the core accepts.  The result is captured into the block
// shift register when out_valid, and shifted out on `sdo` (MSB first) while
// the next block shifts in.  The two 128-bit staging registers are the shim's
// own cost (about 256 logic cells), reported separately by scripts/hwreport.
module aes128_enc_ice40 (
  input  wire clk,
  input  wire rst_n,
  input  wire sdi_key,
  input  wire sdi_blk,
  input  wire shift,
  input  wire start,
  output wire sdo,
  output wire ready,
  output wire done
);
  reg  [127:0] key_sr;
  reg  [127:0] blk_sr;
  reg          pend;
  wire         in_ready, out_valid;
  wire [127:0] out_block;

  aes128_enc #(.FPGA_STYLE(1)) u_core (
    .clk(clk), .rst_n(rst_n),
    .in_valid(pend), .in_ready(in_ready),
    .in_key(key_sr), .in_block(blk_sr),
    .out_valid(out_valid), .out_ready(1'b1), .out_block(out_block));

  always @(posedge clk) begin
    if (!rst_n) begin
      key_sr <= 128'd0;
      blk_sr <= 128'd0;
      pend   <= 1'b0;
    end else begin
      if (out_valid)  blk_sr <= out_block;
      else if (shift) blk_sr <= {blk_sr[126:0], sdi_blk};
      if (shift) key_sr <= {key_sr[126:0], sdi_key};
      if (start) pend <= 1'b1;
      else if (in_ready) pend <= 1'b0;
    end
  end

  assign sdo   = blk_sr[127];
  assign ready = in_ready;
  assign done  = out_valid;
endmodule
