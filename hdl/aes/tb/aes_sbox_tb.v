// aes_sbox_tb -- exhaustive check of aes_sbox against a reference S-box that
// is computed here (GF(2^8) multiplicative inverse + FIPS-197 affine map),
// not typed in.  Also checks that FAULT=1 corrupts exactly input 8'h53.
`timescale 1ns/1ps
module aes_sbox_tb;
  reg  [7:0] x;
  wire [7:0] y, yf;
  integer i, pass, fail;

  aes_sbox #(.FAULT(0)) dut  (.x(x), .y(y));
  aes_sbox #(.FAULT(1)) dutf (.x(x), .y(yf));

  // GF(2^8) multiply modulo x^8+x^4+x^3+x+1
  function [7:0] gmul(input [7:0] a, input [7:0] b);
    reg [7:0] p, aa, bb; integer k;
    begin
      p = 8'd0; aa = a; bb = b;
      for (k = 0; k < 8; k = k + 1) begin
        if (bb[0]) p = p ^ aa;
        aa = {aa[6:0], 1'b0} ^ (aa[7] ? 8'h1b : 8'h00);
        bb = bb >> 1;
      end
      gmul = p;
    end
  endfunction

  // inverse by a^254 (0 maps to 0)
  function [7:0] ginv(input [7:0] a);
    reg [7:0] r; integer k;
    begin
      r = 8'd1;
      for (k = 0; k < 254; k = k + 1) r = gmul(r, a);
      ginv = r;
    end
  endfunction

  function [7:0] ref_sbox(input [7:0] a);
    reg [7:0] b, s; integer k;
    begin
      b = ginv(a);
      for (k = 0; k < 8; k = k + 1)
        s[k] = b[k] ^ b[(k+4)%8] ^ b[(k+5)%8] ^ b[(k+6)%8] ^ b[(k+7)%8];
      ref_sbox = s ^ 8'h63;
    end
  endfunction

  initial begin
    pass = 0; fail = 0;
    for (i = 0; i < 256; i = i + 1) begin
      x = i[7:0];
      #1;
      if (y !== ref_sbox(x)) begin
        fail = fail + 1;
        $display("FAIL sbox(%02h) = %02h, expected %02h", x, y, ref_sbox(x));
      end else pass = pass + 1;
      if (yf !== (y ^ {7'd0, x == 8'h53})) begin
        fail = fail + 1;
        $display("FAIL fault hook at %02h: %02h vs %02h", x, yf, y);
      end
    end
    // spot anchors from FIPS-197 Sec. 5.1.1 example: S(53) = ed
    x = 8'h53; #1;
    if (y !== 8'hed) begin fail = fail + 1; $display("FAIL S(53) = %02h", y); end
    else pass = pass + 1;
    $display("aes_sbox_tb: %0d passed, %0d failed", pass, fail);
    if (fail != 0) $fatal(1, "aes_sbox_tb FAILED");
    $finish;
  end
endmodule
