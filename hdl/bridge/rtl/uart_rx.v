// uart_rx: 8N1 UART receiver.
//   * rx passes a two-flop synchroniser (both flops reset to the idle level 1).
//   * A falling edge starts a frame; the start bit is checked again at its middle
//     (CLKS_PER_BIT / 2 clocks after the edge, the synchroniser's delay included): a line back at 1 there was a glitch and is ignored.
//   * Data bits (LSB first) and the stop bit are sampled at their middles, every CLKS_PER_BIT
//     clocks from the start bit's middle: a sender off by +-3 % is still sampled inside each bit.
//   * Stop bit 1: the octet is offered on out_data with out_valid, held until out_ready.
//     Stop bit 0: a one-cycle ferr pulse and no octet; the receiver then waits for the line to
//     return to 1 (a break is one framing error, not a stream of them) before the next start bit.
//     An octet completed while the previous one is still held (not taken) is dropped with an
//     ferr pulse (overrun).
// CLKS_PER_BIT >= 4 (12 MHz / baud on the board: 104 for 115200, 12 for 1 Mbaud).
module uart_rx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst_n,
  input  wire       rx,
  output reg        out_valid,
  input  wire       out_ready,
  output reg  [7:0] out_data,
  output reg        ferr
);
  localparam integer CW = (CLKS_PER_BIT < 2) ? 1 : $clog2(CLKS_PER_BIT);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];
  // the synchroniser delays the line by 2 clocks: the middle of the start bit is HALF + 1 clocks
  // after its edge is seen
  localparam integer HALF_I = (CLKS_PER_BIT / 2 > 3) ? CLKS_PER_BIT / 2 - 3 : 0;
  localparam [CW-1:0] HALF = HALF_I[CW-1:0];
  localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_BITS = 2'd2, S_WAIT1 = 2'd3;

  reg [1:0]    sync_q;
  reg [1:0]    state_q;
  reg [CW-1:0] cnt_q;
  reg [3:0]    bit_q;    // 0..7 data bits, 8 stop bit
  reg [7:0]    sh_q;
  wire         rxs  = sync_q[1];
  wire         tick = (cnt_q == {CW{1'b0}});

  always @(posedge clk) begin
    if (!rst_n) begin
      sync_q <= 2'b11; state_q <= S_IDLE; cnt_q <= {CW{1'b0}}; bit_q <= 4'd0; sh_q <= 8'd0;
      out_valid <= 1'b0; out_data <= 8'd0; ferr <= 1'b0;
    end else begin
      sync_q <= {sync_q[0], rx};
      ferr   <= 1'b0;
      if (out_valid && out_ready) begin out_valid <= 1'b0; out_data <= 8'd0; end
      if (!tick) cnt_q <= cnt_q - 1'b1;
      case (state_q)
        S_IDLE: if (!rxs) begin state_q <= S_START; cnt_q <= HALF; end
        S_START: if (tick) begin
          if (rxs) state_q <= S_IDLE;                 // glitch: no start bit at its middle
          else begin state_q <= S_BITS; cnt_q <= FULL; bit_q <= 4'd0; end
        end
        S_BITS: if (tick) begin
          cnt_q <= FULL;
          if (bit_q[3]) begin                         // stop bit
            if (!rxs) begin ferr <= 1'b1; state_q <= S_WAIT1; end
            else begin
              state_q <= S_IDLE;
              if (out_valid && !out_ready) ferr <= 1'b1;   // overrun: the held octet stays
              else begin out_data <= sh_q; out_valid <= 1'b1; end
            end
            sh_q <= 8'd0;
          end else begin
            sh_q  <= {rxs, sh_q[7:1]};
            bit_q <= bit_q + 1'b1;
          end
        end
        default: if (rxs) state_q <= S_IDLE;          // S_WAIT1: after a framing error
      endcase
    end
  end
endmodule
