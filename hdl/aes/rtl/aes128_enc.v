// aes128_enc -- compact byte-serial AES-128 encryption core: parallel load of key and block,
// result held until taken. A thin wrapper: the datapath is aes128_core (SERIAL = 0), shared with
// tag_crypto_engine, which uses its octet-serial mode. See aes128_core.v for the
// architecture: one shared S-box, on-the-fly key schedule, 216 busy cycles per block, the next
// block accepted in the cycle the result is taken (217 cycles per block back to back).
//
// Reset (rst_n low, synchronous, needs a clock edge) clears every register, key and state
// included.  FAULT_SBOX is a test-only fault-injection hook; FPGA_STYLE selects the register
// coding (0: AND-OR of one-hot selects, 1: flop enables; same function).
module aes128_enc #(
  parameter FAULT_SBOX = 0,  // test only: corrupt S-box output for input 8'h53
  parameter FPGA_STYLE = 0   // 1: same logic coded with flop enables (iCE40 shim)
) (
  input  wire         clk,
  input  wire         rst_n,       // active-low reset; clears every key and state register
  input  wire         in_valid,
  output wire         in_ready,
  input  wire [127:0] in_key,
  input  wire [127:0] in_block,
  output wire         out_valid,
  input  wire         out_ready,
  output wire [127:0] out_block
);
  wire [7:0] key_out;                  // 0 with SERIAL = 0
  wire       unused_key_out = ^key_out;
  aes128_core #(.FAULT_SBOX(FAULT_SBOX), .FPGA_STYLE(FPGA_STYLE), .SERIAL(0)) u_core (
    .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .in_ready(in_ready), .in_key(in_key),
    .in_block(in_block), .out_valid(out_valid), .out_ready(out_ready), .out_block(out_block),
    .key_in(8'h00), .st_step(1'b0), .st_keep(1'b0), .st_in(8'h00), .key_out(key_out));
endmodule
