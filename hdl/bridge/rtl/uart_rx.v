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
  // the data bits shift in from the top behind a marker bit: loaded 1_0000_0000 at the start
  // bit, the marker reaches bit 0 with the 8th data bit (no bit counter); [8:1] is the octet
  reg [8:0]    sh_q;
  wire         rxs  = sync_q[1];
  wire         tick = (cnt_q == {CW{1'b0}});
  wire         in_start = (state_q == S_START), in_bits = (state_q == S_BITS);
  wire         edge_s   = (state_q == S_IDLE) && !rxs;           // a start bit begins
  wire         go       = in_start && tick && !rxs;              // it is still 0 at its middle
  wire         stop     = in_bits && tick && sh_q[0];            // the stop bit's middle
  wire         good     = stop && rxs;
  wire         take     = out_valid && out_ready;
  wire         load     = good && (!out_valid || out_ready);      // else overrun

  always @(posedge clk) begin
    if (!rst_n) sync_q <= 2'b11;
    else sync_q <= {sync_q[0], rx};
    // bit-time counter: HALF from the edge, FULL from each middle on
    if (!rst_n) cnt_q <= {CW{1'b0}};
    else if (edge_s) cnt_q <= HALF;
    else if ((in_start || in_bits) && tick) cnt_q <= FULL;
    else if (!tick) cnt_q <= cnt_q - 1'b1;
    if (!rst_n || stop) sh_q <= 9'd0;
    else if (go) sh_q <= 9'h100;
    else if (in_bits && tick) sh_q <= {rxs, sh_q[8:1]};
    if (!rst_n) state_q <= S_IDLE;
    else case (state_q)
      S_IDLE:  if (!rxs) state_q <= S_START;
      S_START: if (tick) state_q <= rxs ? S_IDLE : S_BITS;      // back at 1: a glitch
      S_BITS:  if (stop) state_q <= rxs ? S_IDLE : S_WAIT1;
      default: if (rxs) state_q <= S_IDLE;                     // S_WAIT1: after a framing error
    endcase
    // the octet: offered until taken (overrun: an octet completed while one is held is dropped)
    if (!rst_n || (take && !load)) begin out_valid <= 1'b0; out_data <= 8'd0; end
    else if (load) begin out_valid <= 1'b1; out_data <= sh_q[8:1]; end
    if (!rst_n) ferr <= 1'b0;
    else ferr <= (stop && !rxs) || (good && out_valid && !out_ready);
  end
endmodule
