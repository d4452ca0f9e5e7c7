// kdf_sha256: the bit-serial SHA-256 / HMAC-SHA-256 unit for the TS 33.220 KDF as a block of its
// own: kdf_sha256_core (interface, datapath, cycles: see kdf_sha256_core.v) with its
// chaining-value store, a 32-octet circular shift register (hr_q) that moves one octet in every
// cycle, so an octet the core writes on h_out returns on h_in 32 cycles later. This is the
// stand-alone unit (its testbench, its area in hwreport); tag_crypto_engine instantiates the core
// directly and lends it the AES core's state and key registers as the store instead.
// hr_q holds the chaining value (secret, verilator public_flat_rd): the core writes zeros into it
// whenever it is idle or scrubbing, so it is zero 32 cycles after reset / zeroize with the rest.
module kdf_sha256 #(
  parameter integer AW    = 12,   // message index bits (messages of up to 2**AW octets)
  parameter integer FAULT = 0,    // test only (see kdf_sha256_core)
  parameter integer FPGA_STYLE = 0  // 1: the core's rings and round constants in block RAMs
) (
  input  wire          clk,
  input  wire          rst_n,
  input  wire          zeroize,
  input  wire          start_valid,
  output wire          start_ready,
  input  wire          start_hmac,
  input  wire [6:0]    start_klen,
  input  wire [AW:0]   start_len,
  output wire          src_req,
  output wire          src_key,
  output wire [AW-1:0] src_idx,
  input  wire          src_ack,
  input  wire [7:0]    src_data,
  output wire          out_valid,
  input  wire          out_ready,
  output wire [7:0]    out_data,
  output wire [4:0]    out_idx,
  output wire          busy
);
  reg  [255:0] hr_q /* verilator public_flat_rd */;
  wire [7:0]   h_out;
  always @(posedge clk) hr_q <= {hr_q[247:0], h_out};

  kdf_sha256_core #(.AW(AW), .FAULT(FAULT), .FPGA_STYLE(FPGA_STYLE)) u_core (
    .clk(clk), .rst_n(rst_n), .zeroize(zeroize),
    .start_valid(start_valid), .start_ready(start_ready), .start_hmac(start_hmac),
    .start_klen(start_klen), .start_len(start_len),
    .src_req(src_req), .src_key(src_key), .src_idx(src_idx), .src_ack(src_ack), .src_data(src_data),
    .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data), .out_idx(out_idx),
    .busy(busy), .h_out(h_out), .h_in(hr_q[255:248]));
endmodule
