// kdf_sha256_fault_tb: kdf_sha256_tb on the FAULT = 1 build of kdf_sha256 (Sigma1 rotates by 24
// instead of 25): passes only if the testbench's vectors catch the wrong rotation amount.
`timescale 1ns/1ps
module kdf_sha256_fault_tb;
  kdf_sha256_tb #(.FAULT(1)) u_tb ();
endmodule
