// uart_tx: 8N1 UART transmitter. An octet is taken at in_valid && in_ready (in_ready is high
// while the transmitter is idle) and sent LSB first: start bit 0, 8 data bits, stop bit 1, each
// CLKS_PER_BIT clocks; tx idles at 1 and is 1 during reset. in_ready rises again in the cycle
// after the stop bit's last clock, so back-to-back octets leave with no gap.
module uart_tx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst_n,
  input  wire       in_valid,
  output wire       in_ready,
  input  wire [7:0] in_data,
  output wire       tx
);
  localparam integer CW = (CLKS_PER_BIT < 2) ? 1 : $clog2(CLKS_PER_BIT);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];

  reg [8:0]    sh_q;     // {data, start} shifting out through bit 0; 1s shift in (stop, idle)
  reg [3:0]    bit_q;    // bits left to send (10 .. 1), 0 = idle
  reg [CW-1:0] cnt_q;
  wire         idle = (bit_q == 4'd0);

  always @(posedge clk) begin
    if (!rst_n) begin
      sh_q <= 9'h1ff; bit_q <= 4'd0; cnt_q <= {CW{1'b0}};
    end else if (idle) begin
      if (in_valid) begin sh_q <= {in_data, 1'b0}; bit_q <= 4'd10; cnt_q <= FULL; end
    end else if (cnt_q != {CW{1'b0}}) begin
      cnt_q <= cnt_q - 1'b1;
    end else begin
      cnt_q <= FULL;
      sh_q  <= {1'b1, sh_q[8:1]};
      bit_q <= bit_q - 1'b1;
    end
  end

  assign in_ready = idle;
  assign tx       = sh_q[0];
endmodule
