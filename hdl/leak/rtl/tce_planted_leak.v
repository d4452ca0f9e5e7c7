// tce_planted_leak: TEST ONLY. tag_crypto_engine with a planted side-channel leak, for the test
// that the leakage analysis (src/analysis, `aiotsec leakage`) finds one. It holds the first key
// octet of a LOAD_KEYS stream in kcap_q and, in every cycle, loads leak_q with it or with zero
// alternately, so leak_q toggles popcount(key octet) bits every cycle the engine is idle or busy,
// which a fixed-versus-random-key TVLA must flag in every phase, idle included. Everything else
// (ports, parameters, behaviour) is the engine's; zeroize and reset (synchronous, as the engine's) clear the registers.
// Never instantiated by the designs in this repository; the Verilated model Vtce_leak is built
// from it (sim/build/main.rs).
module tce_planted_leak #(
  parameter integer ADDR_W      = 12,
  parameter integer CLEAR_LEN   = 2,
  parameter integer IND_OFFSET  = 1,
  parameter [7:0]   IND_NULL    = 8'h01,
  parameter [7:0]   IND_CIPHERED= 8'h02,
  parameter integer MAC_TRAILER = 0,
  parameter [31:0]  REQ_COUNT   = 32'h0,  parameter [4:0] REQ_BEARER = 5'd0, parameter [0:0] REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT   = 32'h0,  parameter [4:0] RSP_BEARER = 5'd0, parameter [0:0] RSP_DIRECTION = 1'b0,
  parameter integer FAULT       = 0,
  parameter integer FPGA_STYLE  = 0,
  parameter [7:0]   FC_A3       = 8'h8a,
  parameter integer NA_OFF      = 0,
  parameter integer NA_LEN      = 16,
  parameter integer ND_OFF      = 16,
  parameter integer ND_LEN      = 8,
  parameter [7:0]   FC_A4       = 8'h69,
  parameter [7:0]   ENC_DIST    = 8'h07,
  parameter [7:0]   INT_DIST    = 8'h08,
  parameter [7:0]   ALG_NEA2    = 8'h02,
  parameter [7:0]   ALG_NIA2    = 8'h02,
  parameter integer HAS_KDF     = 1,
  parameter integer RAW_OPS     = 1
) (
  input  wire              clk,
  input  wire              rst_n,
  input  wire              zeroize,
  input  wire              cmd_valid,
  output wire              cmd_ready,
  input  wire [2:0]        cmd_op,
  input  wire [ADDR_W-1:0] cmd_addr,
  input  wire [ADDR_W+3:0] cmd_len,
  input  wire              dat_valid,
  output wire              dat_ready,
  input  wire [7:0]        dat_data,
  output wire              rsp_valid,
  input  wire              rsp_ready,
  output wire [2:0]        rsp_status,
  output wire [31:0]       rsp_mac,
  output wire              mem_req,
  output wire              mem_we,
  output wire [ADDR_W-1:0] mem_addr,
  output wire [7:0]        mem_wdata,
  input  wire              mem_ack,
  input  wire [7:0]        mem_rdata,
  output wire              mem_own,
  output wire [4:0]        ltk_idx,
  input  wire [7:0]        ltk_data,
  input  wire              ltk_len32
);
  tag_crypto_engine #(
    .ADDR_W(ADDR_W), .CLEAR_LEN(CLEAR_LEN), .IND_OFFSET(IND_OFFSET), .IND_NULL(IND_NULL),
    .IND_CIPHERED(IND_CIPHERED), .MAC_TRAILER(MAC_TRAILER),
    .REQ_COUNT(REQ_COUNT), .REQ_BEARER(REQ_BEARER), .REQ_DIRECTION(REQ_DIRECTION),
    .RSP_COUNT(RSP_COUNT), .RSP_BEARER(RSP_BEARER), .RSP_DIRECTION(RSP_DIRECTION),
    .FAULT(FAULT), .FPGA_STYLE(FPGA_STYLE),
    .FC_A3(FC_A3), .NA_OFF(NA_OFF), .NA_LEN(NA_LEN), .ND_OFF(ND_OFF), .ND_LEN(ND_LEN),
    .FC_A4(FC_A4), .ENC_DIST(ENC_DIST), .INT_DIST(INT_DIST), .ALG_NEA2(ALG_NEA2), .ALG_NIA2(ALG_NIA2),
    .HAS_KDF(HAS_KDF), .RAW_OPS(RAW_OPS)
  ) u_eng (
    .clk(clk), .rst_n(rst_n), .zeroize(zeroize),
    .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_op(cmd_op), .cmd_addr(cmd_addr),
    .cmd_len(cmd_len), .dat_valid(dat_valid), .dat_ready(dat_ready), .dat_data(dat_data),
    .rsp_valid(rsp_valid), .rsp_ready(rsp_ready), .rsp_status(rsp_status), .rsp_mac(rsp_mac),
    .mem_req(mem_req), .mem_we(mem_we), .mem_addr(mem_addr), .mem_wdata(mem_wdata),
    .mem_ack(mem_ack), .mem_rdata(mem_rdata), .mem_own(mem_own),
    .ltk_idx(ltk_idx), .ltk_data(ltk_data), .ltk_len32(ltk_len32)
  );

  reg [7:0] kcap_q;  // the first key octet of the last LOAD_KEYS
  reg       kgot_q;  // kcap_q holds this LOAD_KEYS's first octet
  reg       load_q;  // a LOAD_KEYS command is streaming its octets
  reg [7:0] leak_q;  // the planted leak: kcap_q and zero in alternate cycles

  always @(posedge clk) begin
    if (!rst_n) begin
      kcap_q <= 8'h00; kgot_q <= 1'b0; load_q <= 1'b0; leak_q <= 8'h00;
    end else if (zeroize) begin
      kcap_q <= 8'h00; kgot_q <= 1'b0; load_q <= 1'b0; leak_q <= 8'h00;
    end else begin
      if (cmd_valid && cmd_ready) begin
        load_q <= (cmd_op == 3'd0);
        kgot_q <= 1'b0;
      end
      if (load_q && !kgot_q && dat_valid && dat_ready) begin
        kcap_q <= dat_data; kgot_q <= 1'b1;
      end
      leak_q <= (leak_q == 8'h00) ? kcap_q : 8'h00;
    end
  end
endmodule
