// crc16_ccitt: CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no
// final XOR; "123456789" -> 0x29B1), one bit per clock, most significant bit of each octet first.
// init sets crc to 0xFFFF; in_valid (taken only while !busy) starts an octet, which takes 8 clocks
// (busy high). Appending a frame's CRC, most significant octet first, leaves crc == 0.
module crc16_ccitt (
  input  wire        clk,
  input  wire        rst_n,
  input  wire        init,
  input  wire        in_valid,
  input  wire [7:0]  in_data,
  output wire        busy,
  output reg  [15:0] crc
);
  reg [8:0] sh_q;        // {octet bits still to do, marker 1}: shifts left, empty when [7:0] == 0
  wire      fb = crc[15] ^ sh_q[8];

  always @(posedge clk) begin
    if (!rst_n) begin
      crc <= 16'hffff; sh_q <= 9'd0;
    end else if (busy) begin
      crc  <= {crc[14:0], 1'b0} ^ (fb ? 16'h1021 : 16'h0000);
      sh_q <= {sh_q[7:0], 1'b0};
    end else begin
      if (init) crc <= 16'hffff;
      if (in_valid) sh_q <= {in_data, 1'b1};
    end
  end

  assign busy = (sh_q[7:0] != 8'd0);
endmodule
