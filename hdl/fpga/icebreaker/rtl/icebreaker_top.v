// icebreaker_top: board top of the engine on the iCEBreaker (iCE40 UP5K-SG48), pins of
// icebreaker.pcf: CLK 12 MHz (pin 35), RX = the FTDI's TXD into the FPGA (pin 6), TX (pin 9),
// LEDR_N red LED (pin 11, active low) = error (the last response was an error), LEDG_N green
// LED (pin 37, active low) = busy (a command is running). Everything else is the portable
// engine_uart_bridge (hdl/bridge, the protocol of hdl/bridge/PROTOCOL.md): this file holds only
// the pins, the reset and the board's parameters.
// Reset: the iCE40's flip-flops are 0 after configuration (power-on or the CRESET button), so
// por_q counts 15 clocks with the bridge and engine in reset (rst_n low), which clears them and
// starts their scrub (engine 32 cycles, staging buffer MAX_DATA + 2 cycles).
// KEYS CROSS THE UART IN CLEAR TEXT (LOAD_KEYS): a lab interface for verification, not a tag.
// scripts/fpga-build sets CLKS_PER_BIT (12 MHz / baud: 12 for 1 Mbaud, the default; 104 for
// 115200) and the engine's profile parameters from profiles/provisional.toml.
module icebreaker_top #(
  parameter integer CLKS_PER_BIT  = 12,
  parameter integer TIMEOUT_CLKS  = 1200000,   // 100 ms at 12 MHz
  parameter integer MAX_DATA      = 256,
  parameter integer CLEAR_LEN     = 2,
  parameter integer IND_OFFSET    = 1,
  parameter [7:0]   IND_NULL      = 8'h01,
  parameter [7:0]   IND_CIPHERED  = 8'h02,
  parameter integer MAC_TRAILER   = 0,
  parameter [31:0]  REQ_COUNT     = 32'h0,
  parameter [4:0]   REQ_BEARER    = 5'd0,
  parameter [0:0]   REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT     = 32'h0,
  parameter [4:0]   RSP_BEARER    = 5'd0,
  parameter [0:0]   RSP_DIRECTION = 1'b0
) (
  input  wire CLK,
  input  wire RX,
  output wire TX,
  output wire LEDR_N,
  output wire LEDG_N
);
  reg [3:0] por_q = 4'd0;
  wire      rst_n = (por_q == 4'hf);
  always @(posedge CLK) if (!rst_n) por_q <= por_q + 1'b1;

  wire led_busy, led_err;
  engine_uart_bridge #(
    .CLKS_PER_BIT(CLKS_PER_BIT), .TIMEOUT_CLKS(TIMEOUT_CLKS), .MAX_DATA(MAX_DATA), .ADDR_W(12),
    .CLEAR_LEN(CLEAR_LEN), .IND_OFFSET(IND_OFFSET), .IND_NULL(IND_NULL),
    .IND_CIPHERED(IND_CIPHERED), .MAC_TRAILER(MAC_TRAILER),
    .REQ_COUNT(REQ_COUNT), .REQ_BEARER(REQ_BEARER), .REQ_DIRECTION(REQ_DIRECTION),
    .RSP_COUNT(RSP_COUNT), .RSP_BEARER(RSP_BEARER), .RSP_DIRECTION(RSP_DIRECTION),
    .FPGA_STYLE(1)
  ) u_bridge (
    .clk(CLK), .rst_n(rst_n), .uart_rx(RX), .uart_tx(TX), .led_busy(led_busy), .led_err(led_err));

  assign LEDR_N = !led_err;
  assign LEDG_N = !led_busy;
endmodule
