// kdf_sha256_fpga_tb: kdf_sha256_tb on the FPGA_STYLE = 1 build of kdf_sha256 (the rings and the
// round constants in block RAMs, as on the iCE40): the same vectors, back-pressure, zeroize and
// clear-after-use checks, the latter over every RAM word.
`timescale 1ns/1ps
module kdf_sha256_fpga_tb;
  kdf_sha256_tb #(.FPGA_STYLE(1)) u_tb ();
endmodule
