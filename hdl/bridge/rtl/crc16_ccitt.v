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
  // one step: a shift with the polynomial's taps (bits 12, 5, 0) XORed with the feedback; the
  // other bits only move (no logic in front of their flip-flops)
  wire [15:0] step = {crc[14:12], crc[11] ^ fb, crc[10:5], crc[4] ^ fb, crc[3:0], fb};

  always @(posedge clk) begin
    if (!rst_n || (init && !busy)) crc <= 16'hffff;
    else if (busy) crc <= step;
    if (!rst_n) sh_q <= 9'd0;
    else if (busy) sh_q <= {sh_q[7:0], 1'b0};
    else if (in_valid) sh_q <= {in_data, 1'b1};
  end

  assign busy = (sh_q[7:0] != 8'd0);
endmodule
